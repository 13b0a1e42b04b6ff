// The lab cleans up after itself also when its process is interrupted: a
// child process builds a namespace with a process in it, gets SIGINT, and
// nothing of it is left.
import { spawn } from "node:child_process";
import { join } from "node:path";
import t from "tap";
import { execute } from "./netns.js";
import { projectRoot } from "./root.js";

const CHILD = `
  import { Lab } from ${JSON.stringify(join(projectRoot(), "dist/test/lab/netns.js"))};
  const lab = new Lab();
  const ns = await lab.netns("sig");
  lab.spawn(ns, ["sleep", "6007"]);
  console.log(ns.name);
  setInterval(() => {}, 1000);
`;

t.test("SIGINT destroys the live labs before the process exits", async (t) => {
  const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let name = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      name += d.toString();
      if (name.includes("\n")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`child exited ${code} before building its lab`)));
  });
  name = name.trim();
  t.teardown(() => execute(["ip", "netns", "del", name]));
  t.match((await execute(["ip", "netns", "list"])).stdout, name, "the namespace exists while the lab runs");
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  child.kill("SIGINT");
  t.equal(await exited, 130, "exits as SIGINT would (128 + 2)");
  t.notMatch((await execute(["ip", "netns", "list"])).stdout, name, "the namespace is gone");
  const sleepers = await execute(["pgrep", "-f", "^sleep 6007$"]);
  t.equal(sleepers.stdout.trim(), "", "the process it ran in the namespace is gone");
});
