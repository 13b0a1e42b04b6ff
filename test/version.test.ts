import { readFileSync } from "node:fs";
import t from "tap";
import { VERSION } from "../src/version.js";

t.test("VERSION matches package.json", async (t) => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  t.equal(VERSION, pkg.version);
});
