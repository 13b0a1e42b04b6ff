// Several discovery services at once: one client each, results merged as a
// union by node ID (Talos lets them overwrite each other instead), and the
// public IP taken from the first service, in configuration order, that is
// connected and reports one.
import { EventEmitter } from "node:events";
import type { Affiliate } from "../cluster/affiliate.js";
import type { RawAffiliate } from "../cluster/merge.js";
import type { IP } from "../net/ip.js";
import type { ClientStatus, DiscoveryClient } from "./client.js";
import type { LocalPayload } from "./local-payload.js";

export interface ServiceView {
  name: string;
  status(): ClientStatus;
  readonly affiliates: ReadonlyMap<string, Affiliate>;
}

/** Raw registry records of every service, IDs `service:<name>/<node ID>`. */
export function rawRecords(services: readonly ServiceView[]): RawAffiliate[] {
  const out: RawAffiliate[] = [];
  for (const service of services) {
    const source = `service:${service.name}`;
    for (const affiliate of service.affiliates.values()) {
      out.push({ id: `${source}/${affiliate.nodeId}`, source, affiliate });
    }
  }
  return out;
}

export function publicIPOf(services: readonly ServiceView[]): IP | undefined {
  for (const service of services) {
    const status = service.status();
    if (status.state === "connected" && status.publicIP) return status.publicIP;
  }
  return undefined;
}

export class DiscoveryServices extends EventEmitter<{ change: [] }> {
  constructor(readonly clients: readonly DiscoveryClient[]) {
    super();
    for (const client of clients) client.on("change", () => this.emit("change"));
  }

  start(): void {
    for (const client of this.clients) client.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.stop()));
  }

  setLocalData(payload: LocalPayload): void {
    for (const client of this.clients) client.setLocalData(payload);
  }

  /** Deletes our affiliate everywhere; rejects naming every service that failed. */
  async leave(timeoutMs = 30_000): Promise<void> {
    const results = await Promise.allSettled(
      this.clients.map((c) => withTimeout(c.deleteLocalAffiliate(), timeoutMs, c.status().name)),
    );
    const failed = results.flatMap((r, i) =>
      r.status === "rejected"
        ? [`${this.clients[i]?.status().name}: ${String(r.reason?.message ?? r.reason)}`]
        : [],
    );
    if (failed.length > 0) throw new Error(`leave failed on ${failed.join("; ")}`);
  }

  rawRecords(): RawAffiliate[] {
    return rawRecords(this.views());
  }

  publicIP(): IP | undefined {
    return publicIPOf(this.views());
  }

  /** True once any service delivered a watch snapshot: before that, "no affiliates" means "not known yet". */
  synced(): boolean {
    return this.clients.some((c) => c.status().dataUpdatedAt > 0);
  }

  statuses(): ClientStatus[] {
    return this.clients.map((c) => c.status());
  }

  private views(): ServiceView[] {
    return this.clients.map((c) => ({
      name: c.status().name,
      status: () => c.status(),
      affiliates: c.affiliates,
    }));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from ${name} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
