// Sends and answers the authenticated UDP echo (src/mesh/probe-packet.ts)
// through the tunnel. Requests go to a peer's KubeSpan address, so they only
// come back when the WireGuard path works right now. Replies are rate-limited
// so a flood cannot turn the daemon into an amplifier.
import { createSocket, type Socket } from "node:dgram";
import type { Logger } from "pino";
import { decodeProbe, encodeProbe } from "../mesh/probe-packet.js";

export const DEFAULT_PROBE_PORT = 51821;
/** Answers beyond this rate are dropped; 1/s per peer needs far less at any realistic mesh size. */
const MAX_REPLIES_PER_SECOND = 2000;

export interface ProbeRecord {
  lastSentAt: number;
  lastReplyAt: number;
  /** Probes sent since the last reply. */
  unanswered: number;
  /** Whether the peer ever answered: Talos nodes never do, and must not be judged by probes. */
  everAnswered: boolean;
}

export class Prober {
  private socket: Socket | undefined;
  private readonly records = new Map<string, ProbeRecord>();
  private readonly pending = new Map<bigint, string>();
  private nextId = BigInt(Date.now()) << 16n;
  private windowStart = 0;
  private repliesInWindow = 0;

  constructor(
    private readonly key: Uint8Array,
    private readonly port: number,
    private readonly logger: Logger,
    /** Where peers listen; the same port in a real mesh, different in tests on one host. */
    private readonly peerPort = port,
  ) {}

  async start(): Promise<void> {
    const socket = createSocket({ type: "udp6", reuseAddr: true });
    socket.on("message", (msg, rinfo) => this.onMessage(msg, rinfo.address, rinfo.port));
    socket.on("error", (err) => this.logger.warn({ err: err.message }, "probe socket error"));
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(this.port, "::", () => {
        socket.off("error", reject);
        resolve();
      });
    });
    this.socket = socket;
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  /** Sends one request to the peer's KubeSpan address. */
  probe(address: string, now: number): void {
    if (!this.socket) return;
    const record = this.record(address);
    const id = this.nextId++;
    this.pending.set(id, address);
    if (this.pending.size > 10_000) this.pending.delete(this.pending.keys().next().value as bigint);
    record.lastSentAt = now;
    record.unanswered++;
    this.socket.send(
      encodeProbe(this.key, { kind: "request", id, sentAt: now }),
      this.peerPort,
      address,
      () => {},
    );
  }

  result(address: string): ProbeRecord | undefined {
    const record = this.records.get(address);
    return record ? { ...record } : undefined;
  }

  forget(keep: ReadonlySet<string>): void {
    for (const address of this.records.keys()) if (!keep.has(address)) this.records.delete(address);
  }

  private record(address: string): ProbeRecord {
    let record = this.records.get(address);
    if (!record) {
      record = { lastSentAt: 0, lastReplyAt: 0, unanswered: 0, everAnswered: false };
      this.records.set(address, record);
    }
    return record;
  }

  private onMessage(msg: Buffer, from: string, fromPort: number): void {
    const packet = decodeProbe(this.key, msg);
    if (!packet) return;
    if (packet.kind === "request") {
      if (!this.allowReply()) return;
      this.socket?.send(encodeProbe(this.key, { ...packet, kind: "reply" }), fromPort, from, () => {});
      return;
    }
    const address = this.pending.get(packet.id);
    if (address === undefined) return;
    this.pending.delete(packet.id);
    const record = this.record(address);
    record.lastReplyAt = Date.now();
    record.unanswered = 0;
    record.everAnswered = true;
  }

  private allowReply(): boolean {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.repliesInWindow = 0;
    }
    return ++this.repliesInWindow <= MAX_REPLIES_PER_SECOND;
  }
}
