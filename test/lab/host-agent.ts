// The host agent: a child process started inside a network namespace
// (`ip netns exec`) that runs the host layer there, driven by JSON lines on
// stdin and answering on stdout. Ending stdin ends the agent without tearing
// anything down, like a daemon restart.
import { createInterface } from "node:readline";
import { HostApplier } from "../../src/host/apply.js";
import { Rtnl } from "../../src/host/rtnl/rtnl.js";
import { KernelBackend } from "../../src/host/wireguard/kernel.js";
import { startUserspace } from "../../src/host/wireguard/spawn.js";
import type { WireGuardBackend } from "../../src/host/wireguard/types.js";
import { UapiBackend, uapiSocketPath } from "../../src/host/wireguard/uapi.js";
import { patchFromWire, planFromWire, toWire } from "./host-json.js";

type Args = Record<string, unknown>;

const applier = new HostApplier();
const backends = new Map<string, WireGuardBackend>();

const operations: Record<string, (args: Args) => Promise<unknown>> = {
  open: (a) => applier.open(planFromWire(a["plan"] as Args)),
  apply: (a) => applier.apply(planFromWire(a["plan"] as Args)),
  applyPeers: async (a) => applier.applyPeers(planFromWire(a["plan"] as Args), await applier.readDevice()),
  teardown: (a) => applier.teardown(planFromWire(a["plan"] as Args)),
  readDevice: () => applier.readDevice(),
  kick: (a) => applier.kick([String(a["publicKey"])], Number(a["keepaliveSeconds"])),
  rehandshake: (a) => applier.rehandshake(planFromWire(a["plan"] as Args).wireguard.peers),
  "backend.open": async (a) => {
    const ifname = String(a["ifname"]);
    backends.set(ifname, await openBackend(String(a["kind"]), ifname));
    return ifname;
  },
  "backend.read": (a) => backend(a).read(),
  "backend.configure": (a) => backend(a).configure(patchFromWire(a["patch"] as Args)),
};

async function openBackend(kind: string, ifname: string): Promise<WireGuardBackend> {
  if (kind === "userspace") {
    const socketPath = uapiSocketPath(ifname);
    await startUserspace(ifname, { binary: "wireguard-go", socketPath, startTimeoutMs: 10_000 });
    return new UapiBackend(ifname);
  }
  const rtnl = new Rtnl();
  try {
    await rtnl.createLink(ifname, "wireguard");
  } finally {
    rtnl.close();
  }
  return KernelBackend.open(ifname);
}

function backend(args: Args): WireGuardBackend {
  const found = backends.get(String(args["ifname"]));
  if (!found) throw new Error(`no backend opened for ${String(args["ifname"])}`);
  return found;
}

function reply(message: object): void {
  process.stdout.write(`${toWire(message)}\n`);
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const { id, op, args } = JSON.parse(line) as { id: number; op: string; args: Args };
  const run = operations[op];
  if (!run) {
    reply({ id, ok: false, error: { name: "Error", message: `unknown operation ${op}` } });
    return;
  }
  run(args).then(
    (result) => reply({ id, ok: true, result: result ?? null }),
    (err: Error) => reply({ id, ok: false, error: { ...err, name: err.name, message: err.message } }),
  );
});
lines.on("close", async () => {
  for (const b of backends.values()) await b.close();
  await applier.close();
  process.exit(0);
});
reply({ ready: true });
