// Client-version metric labels (protocol §8 item 34, §7.13).
import t from "tap";
import { clientVersionLabel } from "../../src/server/version-label.js";

const table: [string, string][] = [
  ["", "unknown"],
  ["unknown", "unknown"],
  ["v0.13.0", "v0.13"],
  ["v0.13.0-beta.0", "v0.13-pre"],
  ["v0.14.0-alpha.0-7-gf7d9f211-dirty", "v0.14-pre"],
  ["v1.8.3", "v1.8"],
  ["v1.8.3-7-gf7d9f211", "v1.8-pre"],
  ["v1.8.0-beta.1", "v1.8-pre"],
  ["v1.2", "unknown"],
  // Beyond the spec's table: our stricter reading.
  ["1.8.3", "unknown"],
  ["v1234.1.0", "unknown"],
  ["vab.cd.ef", "unknown"],
  ["kubespand/v0.1.0", "unknown"],
];

for (const [input, label] of table) {
  t.equal(clientVersionLabel(input), label, JSON.stringify(input));
}
