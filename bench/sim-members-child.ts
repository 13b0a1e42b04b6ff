// The member simulator's process: many cluster members, each with its own
// X25519 key, node ID, KubeSpan address and endpoint, published to a real
// discovery server over one gRPC channel. It runs inside a lab namespace and
// speaks JSON lines on stdin/stdout (bench/sim-members.ts drives it), so the
// cluster secret never appears on a command line.
//
// Each member keeps its record alive: every TTL/2 it re-sends its endpoints
// without data, which refreshes the expiration without notifying watchers.
// Each member sends from its own address (x-real-ip), as separate hosts
// would; the server must run with --trust-x-real-ip for that to count.
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { type ClientReadableStream, credentials, Metadata } from "@grpc/grpc-js";
import { type Affiliate, emptyAffiliate } from "../src/cluster/affiliate.js";
import { ClusterKey } from "../src/discovery/crypto.js";
import type { PayloadCrypto } from "../src/discovery/local-payload.js";
import { discoveryPayloadCodec } from "../src/discovery/payload.js";
import {
  type AffiliateUpdateRequest,
  ClusterClient,
  type WatchResponse,
} from "../src/gen/sidero/discovery/server/cluster.js";
import { generateKeyPair } from "../src/identity/keys.js";
import { generateNodeId } from "../src/identity/node-id.js";
import { clusterSubnet, nodeAddress } from "../src/identity/ula.js";
import { Endpoint, IP } from "../src/net/ip.js";
import { type Reply, type Request, type SimMember, type StartRequest, wallNow } from "./sim-members.js";

const CALL_DEADLINE_MS = 10_000;
const PUBLISH_IN_FLIGHT = 16;
/** How long a change waits for its own Watch echo before reporting none. */
const WATCH_WAIT_MS = 5_000;

interface LiveMember extends SimMember {
  affiliate: Affiliate;
}

/** Member i's underlay address: 10.80.0.0/16, one /32 each, never the network address. */
function underlayAddress(i: number): string {
  const n = i + 1;
  return `10.80.${(n >> 8) & 255}.${n & 255}`;
}

/** A random MAC with the locally administered bit set and the multicast bit clear. */
function randomMac(): Buffer {
  const mac = randomBytes(6);
  mac[0] = (mac[0]! | 0x02) & 0xfe;
  return mac;
}

function createMember(i: number, start: StartRequest): LiveMember {
  const nodeId = generateNodeId();
  const keys = generateKeyPair();
  const address = nodeAddress(clusterSubnet(start.clusterId), randomMac());
  const underlay = underlayAddress(i);
  const endpoint = `${underlay}:${start.port}`;
  const nodename = `sim${String(i).padStart(4, "0")}`;
  const affiliate: Affiliate = {
    ...emptyAffiliate(nodeId),
    nodename,
    hostname: nodename,
    machineType: "worker",
    operatingSystem: "simulated",
    addresses: [IP.parse(underlay)],
    kubespan: {
      publicKey: keys.publicKey,
      address,
      additionalAddresses: [],
      excludedNetworks: [],
      endpoints: [Endpoint.parse(endpoint)],
    },
  };
  return {
    id: nodeId,
    nodename,
    publicKey: keys.publicKey,
    address: address.toString(),
    underlay,
    endpoint,
    affiliate,
  };
}

class Simulator {
  private readonly client: ClusterClient;
  private readonly crypto: PayloadCrypto;
  private readonly members: LiveMember[];
  private watch: ClientReadableStream<WatchResponse> | undefined;
  /** Watch echoes awaited: affiliate ID + endpoint blob (hex) → resolver. */
  private readonly awaited = new Map<string, (at: number) => void>();
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(private readonly start: StartRequest) {
    this.client = new ClusterClient(start.server, credentials.createInsecure());
    this.crypto = discoveryPayloadCodec(ClusterKey.fromSecret(start.secret)).crypto;
    this.members = Array.from({ length: start.count }, (_, i) => createMember(i, start));
  }

  async publishAll(): Promise<SimMember[]> {
    let next = 0;
    const worker = async () => {
      while (next < this.members.length) {
        const member = this.members[next++]!;
        await this.send(member, this.update(member, true));
      }
    };
    await Promise.all(Array.from({ length: PUBLISH_IN_FLIGHT }, worker));
    const refreshMs = (this.start.ttlSeconds * 1000) / 2;
    this.refreshTimer = setInterval(() => void this.refreshAll(), refreshMs);
    return this.members.map(({ affiliate: _, ...member }) => member);
  }

  /** Opens the baseline Watch stream; resolves once its snapshot arrived. */
  openWatch(): Promise<void> {
    return new Promise((resolve, reject) => {
      const stream = this.client.watch({ clusterId: this.start.clusterId });
      this.watch = stream;
      let first = true;
      stream.on("data", (message: WatchResponse) => {
        const at = wallNow();
        if (first) {
          first = false;
          resolve();
          return;
        }
        for (const affiliate of message.affiliates) {
          for (const blob of affiliate.endpoints) {
            const key = `${affiliate.id}/${Buffer.from(blob).toString("hex")}`;
            this.awaited.get(key)?.(at);
            this.awaited.delete(key);
          }
        }
      });
      stream.on("error", (err: Error & { code?: number }) => {
        // Cancelled by close() at the end of the run.
        if (err.code !== 1) reject(err);
      });
    });
  }

  /** Replaces member `index`'s own endpoint; times the RPC and, with a Watch open, its echo. */
  async change(index: number, endpointText: string) {
    const member = this.members[index];
    if (member === undefined) throw new Error(`no member ${index} (there are ${this.members.length})`);
    const endpoint = Endpoint.parse(endpointText);
    member.endpoint = endpointText;
    member.affiliate.kubespan!.endpoints = [endpoint];
    const request = this.update(member, true);
    const blob = this.crypto.encryptEndpoint(endpoint).toString("hex");
    const echo = this.watch ? this.awaitEcho(`${member.id}/${blob}`) : Promise.resolve(undefined);
    const sentAt = wallNow();
    await this.send(member, request);
    const ackAt = wallNow();
    const watchAt = await echo;
    return { sentAt, ackAt, ...(watchAt === undefined ? {} : { watchAt }) };
  }

  close(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.watch?.cancel();
    this.client.close();
  }

  private awaitEcho(key: string): Promise<number | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.awaited.delete(key);
        resolve(undefined);
      }, WATCH_WAIT_MS);
      this.awaited.set(key, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  private async refreshAll(): Promise<void> {
    for (const member of this.members) {
      await this.send(member, this.update(member, false)).catch((err: Error) => {
        process.stderr.write(`refresh of ${member.nodename} failed: ${err.message}\n`);
      });
    }
  }

  /** A full update (fresh data + own endpoints), or a refresh (endpoints only: no event). */
  private update(member: LiveMember, withData: boolean): AffiliateUpdateRequest {
    const endpoints = member.affiliate.kubespan!.endpoints;
    return {
      clusterId: this.start.clusterId,
      affiliateId: member.id,
      affiliateData: withData
        ? this.crypto.encryptData(this.crypto.encodeAffiliate(member.affiliate))
        : Buffer.alloc(0),
      affiliateEndpoints: endpoints.map((e) => this.crypto.encryptEndpoint(e)),
      ttl: { seconds: this.start.ttlSeconds, nanos: 0 },
    };
  }

  private send(member: LiveMember, request: AffiliateUpdateRequest): Promise<void> {
    const metadata = new Metadata();
    metadata.set("x-real-ip", member.underlay);
    return new Promise((resolve, reject) =>
      this.client.affiliateUpdate(request, metadata, { deadline: Date.now() + CALL_DEADLINE_MS }, (err) =>
        err ? reject(new Error(`AffiliateUpdate for ${member.nodename}: ${err.message}`)) : resolve(),
      ),
    );
  }
}

function reply(message: Reply): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function handle(sim: Simulator | undefined, request: Request): Promise<Simulator | undefined> {
  switch (request.type) {
    case "start": {
      if (sim) throw new Error("already started");
      const started = new Simulator(request);
      const members = await started.publishAll();
      reply({ type: "ready", seq: request.seq, members });
      return started;
    }
    case "watch":
      await requireStarted(sim).openWatch();
      reply({ type: "watching", seq: request.seq });
      return sim;
    case "change": {
      const timing = await requireStarted(sim).change(request.index, request.endpoint);
      reply({ type: "changed", seq: request.seq, ...timing });
      return sim;
    }
  }
}

function requireStarted(sim: Simulator | undefined): Simulator {
  if (!sim) throw new Error("the simulator has not been started");
  return sim;
}

async function main(): Promise<void> {
  let sim: Simulator | undefined;
  let starting: Promise<unknown> = Promise.resolve();
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    const request = JSON.parse(line) as Request;
    // "start" must finish before anything else runs; changes may overlap.
    const run = starting.then(async () => {
      try {
        sim = await handle(sim, request);
      } catch (err) {
        reply({ type: "error", seq: request.seq, message: (err as Error).message });
      }
    });
    if (request.type === "start" || request.type === "watch") starting = run;
  }
  // stdin closed: the driver is done with us.
  sim?.close();
}

await main();
