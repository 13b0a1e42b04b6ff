// A LAN mesh in network namespaces: one "hub" namespace holding a bridge and a
// real kubespan-discovery process, and N node namespaces each running a real
// kubespand with its own config, state directory, API socket and WireGuard
// interface name. Everything is torn down with the Lab.
//
// The daemons and the server run from dist/ (`make build` comes first in the
// test command), exactly as an operator would run them.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { credentials } from "@grpc/grpc-js";
import {
  KubeSpanClient,
  type PeerSpec,
  type PeerStatus,
  type Status,
} from "../../src/gen/kubespan/v1/api.js";
import { attachBehind, type NatRouter, natRouter } from "./nat.js";
import { type Lab, Netns, type TeardownTarget } from "./netns.js";
import { projectRoot } from "./root.js";

const ROOT = projectRoot();
export const KUBESPAND = join(ROOT, "dist/src/bin/kubespand.js");
export const DISCOVERY = join(ROOT, "dist/src/bin/kubespan-discovery.js");
export const KUBESPANCTL = join(ROOT, "dist/src/bin/kubespanctl.js");

export interface MeshNode {
  name: string;
  ns: Netns;
  /** Underlay IPv4 address: on the hub LAN, or the private one behind its router. */
  ip: string;
  /** The NAT router in front of the node, when it has one (`behindNat`). */
  router?: NatRouter;
  ifname: string;
  dir: string;
  configPath: string;
  socket: string;
  /** Everything the daemon printed (JSON log lines), across restarts. */
  log: string[];
  process: ChildProcess | undefined;
}

export interface Mesh {
  lab: Lab;
  hub: Netns;
  nodes: MeshNode[];
  clusterSecret: string;
  discoveryURL: string;
  serverLog: string[];
  /** The running kubespan-discovery process (replace it with startDiscovery). */
  server: ChildProcess | undefined;
  serverArgs: string[];
}

export interface MeshOptions {
  nodes: number;
  /** Extra YAML lines appended under `kubespan:` for every node. */
  kubespanExtra?: string;
  /** Extra kubespan-discovery flags, e.g. ["--gc-interval=1s"]. */
  serverArgs?: string[];
  /** Nodes (1-based) that sit behind their own masquerading router on the hub LAN. */
  behindNat?: readonly number[];
  /** Start every node's kubespand (default true); false leaves that to the caller (startDaemon). */
  startDaemons?: boolean;
}

const SUBNET = "10.77.0";
const HUB_IP = `${SUBNET}.254`;

export async function startMesh(lab: Lab, t: TeardownTarget, options: MeshOptions): Promise<Mesh> {
  const hub = await lab.netns("hub");
  const dir = await mkdtemp(join(tmpdir(), `ksmesh-${lab.id}-`));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const members: string[] = [];
  const nodes: MeshNode[] = [];
  for (let i = 1; i <= options.nodes; i++) {
    const ns = await lab.netns(`n${i}`);
    const hubSide = lab.ifname(`h${i}`);
    members.push(hubSide);
    let router: NatRouter | undefined;
    if (options.behindNat?.includes(i)) {
      router = await natRouter(lab, hub, {
        label: `r${i}`,
        hubSide,
        publicAddress: `${SUBNET}.${100 + i}/24`,
        privateSubnet: `192.168.${i}`,
      });
      await attachBehind(lab, router, ns);
    } else {
      await lab.veth(hub, hubSide, ns, "eth0", [[], [`${SUBNET}.${i}/24`]]);
    }
    const nodeDir = join(dir, `n${i}`);
    await mkdir(nodeDir, { recursive: true });
    nodes.push({
      name: `n${i}`,
      ns,
      ip: router?.nodeIp ?? `${SUBNET}.${i}`,
      ...(router ? { router } : {}),
      ifname: lab.ifname(`k${i}`),
      dir: nodeDir,
      configPath: join(nodeDir, "config.yaml"),
      socket: join(nodeDir, "kubespand.sock"),
      log: [],
      process: undefined,
    });
  }
  await lab.bridge(hub, "br0", members);
  await hub.run(["ip", "address", "add", `${HUB_IP}/24`, "dev", "br0"]);

  const mesh: Mesh = {
    lab,
    hub,
    nodes,
    clusterSecret: randomBytes(32).toString("base64"),
    discoveryURL: `http://${HUB_IP}:3000`,
    serverLog: [],
    server: undefined,
    serverArgs: options.serverArgs ?? [],
  };
  await startDiscovery(mesh);
  for (const node of nodes) {
    await writeConfig(mesh, node, options.kubespanExtra ?? "");
    if (options.startDaemons !== false) startDaemon(mesh, node);
  }
  return mesh;
}

/** Starts kubespan-discovery in the hub (empty state) and waits until it listens. */
export async function startDiscovery(mesh: Mesh): Promise<ChildProcess> {
  const server = mesh.lab.spawn(mesh.hub, [
    "node",
    DISCOVERY,
    `--addr=${HUB_IP}:3000`,
    "--landing-addr=",
    "--metrics-addr=",
    "--snapshots-enabled=false",
    ...mesh.serverArgs,
  ]);
  collect(server, mesh.serverLog);
  mesh.server = server;
  await waitFor("the discovery server to listen", async () =>
    (await mesh.hub.exec(["ss", "-Hltn", "sport = :3000"])).stdout.includes("3000"),
  );
  return server;
}

/** Stops kubespan-discovery (SIGTERM) and waits for it to exit. */
export async function stopDiscovery(mesh: Mesh): Promise<void> {
  const server = mesh.server;
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((r) => server.once("exit", r));
  server.kill("SIGTERM");
  await exited;
  mesh.server = undefined;
}

export async function writeConfig(mesh: Mesh, node: MeshNode, kubespanExtra: string): Promise<void> {
  const extra = kubespanExtra
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => `  ${l}`)
    .join("\n");
  await writeFile(
    node.configPath,
    [
      `clusterID: lab-${mesh.lab.id}`,
      `clusterSecret: ${mesh.clusterSecret}`,
      "discovery:",
      `  endpoints: ["${mesh.discoveryURL}"]`,
      "node:",
      `  nodename: ${node.name}`,
      "kubespan:",
      `  interface: ${node.ifname}`,
      ...(extra ? [extra] : []),
      `stateDir: ${join(node.dir, "state")}`,
      "api:",
      `  socket: ${node.socket}`,
      "metrics:",
      '  address: ""',
      "log:",
      "  level: debug",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
}

export function startDaemon(mesh: Mesh, node: MeshNode, extraArgs: string[] = []): ChildProcess {
  const child = mesh.lab.spawn(node.ns, ["node", KUBESPAND, "--config", node.configPath, ...extraArgs]);
  collect(child, node.log);
  node.process = child;
  return child;
}

function collect(child: ChildProcess, into: string[]): void {
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) =>
      into.push(
        ...chunk
          .toString()
          .split("\n")
          .filter((l) => l !== ""),
      ),
    );
  }
}

/** A gRPC client of the node's local API (the socket lives on the shared file system). */
export function api(node: MeshNode): KubeSpanClient {
  return new KubeSpanClient(`unix://${node.socket}`, credentials.createInsecure());
}

export function status(node: MeshNode): Promise<Status> {
  const client = api(node);
  return new Promise<Status>((resolvePromise, reject) =>
    client.getStatus({}, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolvePromise(res);
    }),
  );
}

/** The peer specs the node built from discovery (endpoints as announced, Hello's address included). */
export function peerSpecs(node: MeshNode): Promise<PeerSpec[]> {
  const client = api(node);
  return new Promise<PeerSpec[]>((resolvePromise, reject) =>
    client.listPeerSpecs({}, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolvePromise(res.items);
    }),
  );
}

/** Waits until every node reports every other node up. */
export async function waitForFullMesh(mesh: Mesh, timeoutMs = 60_000): Promise<Map<string, Status>> {
  const statuses = new Map<string, Status>();
  await withLogs(
    mesh,
    waitFor(
      "a full mesh",
      async () => {
        for (const node of mesh.nodes) {
          const s = await status(node).catch(() => undefined);
          if (!s) return false;
          statuses.set(node.name, s);
          const up = s.peers.filter((p: PeerStatus) => p.state === "up").length;
          if (up !== mesh.nodes.length - 1) return false;
        }
        return true;
      },
      timeoutMs,
    ),
  );
  return statuses;
}

/** Adds the tail of every program's log to a failure, so CI output shows why. */
export async function withLogs<T>(mesh: Mesh, promise: Promise<T>, lines = 20): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    const tails = [
      `--- discovery server\n${mesh.serverLog.slice(-lines).join("\n")}`,
      ...mesh.nodes.map((n) => `--- ${n.name}\n${n.log.slice(-lines).join("\n")}`),
    ];
    (err as Error).message += `\n${tails.join("\n")}`;
    throw err;
  }
}

export async function ping(from: Netns, address: string, count = 3): Promise<boolean> {
  const family = address.includes(":") ? "-6" : "-4";
  const r = await from.exec(["ping", family, "-c", String(count), "-i", "0.2", "-W", "1", address]);
  return r.code === 0;
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

export { Netns };
