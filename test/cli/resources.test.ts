import t from "tap";
import { RESOURCE_KINDS, resolveResource } from "../../src/cli/resources.js";

t.test("canonical names resolve to themselves", async (t) => {
  for (const kind of RESOURCE_KINDS) t.equal(resolveResource(kind), kind);
});

t.test("singular, plural, Talos and mixed-case spellings are accepted", async (t) => {
  const cases: [string, string][] = [
    ["peer", "peers"],
    ["peerstatus", "peers"],
    ["PeerStatuses", "peers"],
    ["kubespanpeerstatuses", "peers"],
    ["peerspec", "peerspecs"],
    ["KubeSpanPeerSpecs", "peerspecs"],
    ["affiliate", "affiliates"],
    ["member", "members"],
    ["identities", "identity"],
    ["kubespanidentity", "identity"],
    ["endpoint", "endpoints"],
    ["kubespanendpoints", "endpoints"],
  ];
  for (const [name, kind] of cases) t.equal(resolveResource(name), kind, name);
});

t.test("anything else is unknown", async (t) => {
  t.equal(resolveResource("pods"), undefined);
  t.equal(resolveResource(""), undefined);
  t.equal(resolveResource("peerss"), undefined);
});
