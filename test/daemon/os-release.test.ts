import t from "tap";
import { operatingSystemString, parseOsRelease } from "../../src/daemon/os-release.js";

t.test("parses quoted and unquoted values", async (t) => {
  const parsed = parseOsRelease(
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n# comment\nVERSION_ID='12'\n",
  );
  t.same(parsed, { PRETTY_NAME: "Debian GNU/Linux 12 (bookworm)", ID: "debian", VERSION_ID: "12" });
});

t.test("builds the published OS string, falling back to Linux", async (t) => {
  t.equal(
    operatingSystemString('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"', "1.2.3"),
    "Debian GNU/Linux 12 (bookworm) (kubespan-node v1.2.3)",
  );
  t.equal(operatingSystemString(undefined, "1.2.3"), "Linux (kubespan-node v1.2.3)");
  t.equal(operatingSystemString("ID=x", "1.2.3"), "Linux (kubespan-node v1.2.3)");
});
