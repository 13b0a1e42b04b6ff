// The WireGuard backend contract (contract.ts) against the fake, the userspace
// backend (wireguard-go over UAPI) and the kernel backend (generic netlink).
// The real backends run inside a network namespace, driven through the host
// agent; the kernel one only where the kernel has WireGuard.
import t from "tap";
import { FakeBackend } from "../../../src/host/wireguard/fake.js";
import type {
  BackendKind,
  DevicePatch,
  ObservedDevice,
  WireGuardBackend,
} from "../../../src/host/wireguard/types.js";
import type { HostAgent } from "../../lab/host-agent-client.js";
import { deviceFromWire, toWire } from "../../lab/host-json.js";
import { Lab } from "../../lab/netns.js";
import { type ContractTest, runContract } from "./contract.js";

/** A backend living in the agent's namespace, reached over the agent's line protocol. */
class AgentBackend implements WireGuardBackend {
  constructor(
    private readonly agent: HostAgent,
    readonly kind: BackendKind,
    readonly ifname: string,
  ) {}

  async read(): Promise<ObservedDevice> {
    return deviceFromWire(await this.agent.call("backend.read", { ifname: this.ifname }));
  }

  async configure(patch: DevicePatch): Promise<void> {
    await this.agent.call("backend.configure", { ifname: this.ifname, patch: JSON.parse(toWire(patch)) });
  }

  async close(): Promise<void> {}
}

t.test("fake backend", async (t) => {
  await runContract(t as unknown as ContractTest, async () => new FakeBackend());
});

t.test("userspace backend (wireguard-go, UAPI)", async (t) => {
  const lab = Lab.create(t);
  const agent = await lab.agent(await lab.netns("uapi"));
  let n = 0;
  await runContract(t as unknown as ContractTest, async () => {
    const ifname = lab.ifname(`u${n++}`);
    await agent.call("backend.open", { kind: "userspace", ifname });
    return new AgentBackend(agent, "userspace", ifname);
  });
});

t.test("kernel backend (generic netlink)", async (t) => {
  const lab = Lab.create(t);
  const ns = await lab.netns("kernel");
  const probe = await ns.exec(["ip", "link", "add", lab.ifname("probe"), "type", "wireguard"]);
  const skip =
    probe.code !== 0 &&
    `this kernel cannot create wireguard links: ${probe.stderr.trim() || `exit ${probe.code}`}`;
  await t.test("contract", { skip }, async (t) => {
    await ns.run(["ip", "link", "del", lab.ifname("probe")]);
    const agent = await lab.agent(ns);
    let n = 0;
    await runContract(t as unknown as ContractTest, async () => {
      const ifname = lab.ifname(`k${n++}`);
      await agent.call("backend.open", { kind: "kernel", ifname });
      return new AgentBackend(agent, "kernel", ifname);
    });
  });
});
