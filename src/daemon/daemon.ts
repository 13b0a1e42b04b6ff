// kubespand's imperative shell: it gathers the inputs of a pass (host
// addresses, discovered affiliates, the WireGuard device, probe results),
// hands them to the pure planner (pass.ts) and carries out what comes back —
// publish, program the host, kick handshakes, send probes — then refreshes
// what the local API and the metrics show.
import { EventEmitter } from "node:events";
import { hostname as osHostname } from "node:os";
import type { Logger } from "pino";
import type { HarvestReport } from "../cluster/harvest.js";
import { members as membersOf } from "../cluster/members.js";
import type { Config } from "../config/index.js";
import { DiscoveryClient } from "../discovery/client.js";
import { ClusterKey } from "../discovery/crypto.js";
import { discoveryPayloadCodec } from "../discovery/payload.js";
import { DiscoveryServices } from "../discovery/services.js";
import { type ApplyResult, HostApplier } from "../host/apply.js";
import type { HostPlan } from "../host/plan.js";
import { shortKey } from "../host/wireguard/keys.js";
import type { DesiredPeer, ObservedDevice } from "../host/wireguard/types.js";
import type { Identity } from "../identity/identity.js";
import { loadOrCreateIdentity } from "../identity/store.js";
import type { Decision, PeerTracker } from "../mesh/peer-tracker.js";
import { deriveProbeKey } from "../mesh/probe-packet.js";
import type { Endpoint, IP } from "../net/ip.js";
import { VERSION } from "../version.js";
import { type FullApply, hostPlanKey, needsFullApply } from "./apply-policy.js";
import { FreshHandshakes, planDials } from "./dials.js";
import { HostFacts } from "./host-facts.js";
import { LastGoodStore } from "./last-good.js";
import { DaemonMetrics } from "./metrics.js";
import { readOperatingSystem } from "./os-release.js";
import { type PassResult, planPass } from "./pass.js";
import { DEFAULT_PROBE_PORT, Prober } from "./prober.js";
import { ReconcileLoop } from "./reconcile-loop.js";
import { hostSettings } from "./settings.js";

/** Talos publishes with the server's maximum TTL; refreshes come every TTL/2. */
export const DISCOVERY_TTL_SECONDS = 30 * 60;
/** How often an adopted device is re-checked while discovery has not answered yet. */
const HOLD_POLL_MS = 500;

export interface DaemonOptions {
  config: Config;
  logger: Logger;
  probePort?: number;
}

export class Daemon extends EventEmitter<{ change: []; ready: [] }> {
  readonly metrics = new DaemonMetrics();
  readonly loop: ReconcileLoop;
  private config: Config;
  private readonly logger: Logger;
  private readonly host: HostApplier;
  private readonly facts: HostFacts;
  private readonly lastGoodStore: LastGoodStore;
  private services!: DiscoveryServices;
  private prober!: Prober;
  identity!: Identity;
  private lastGood = new Map<string, Endpoint>();
  private trackers = new Map<string, PeerTracker>();
  private harvest: HarvestReport[] = [];
  private readonly pendingProbes = new Map<string, number>();
  private deviceOpen = false;
  /** The last full host apply; undefined forces the next pass to apply everything. */
  private fullApply: FullApply | undefined;
  private readyEmitted = false;
  private stopped = false;
  /** The last pass, for the local API. */
  last: PassResult | undefined;
  lastApply: ApplyResult | undefined;
  readonly operatingSystem = readOperatingSystem();

  constructor(private readonly options: DaemonOptions) {
    super();
    this.config = options.config;
    this.logger = options.logger;
    this.host = new HostApplier({ logger: this.logger.child({ component: "host" }) });
    this.facts = new HostFacts(() => this.loop.trigger());
    this.lastGoodStore = new LastGoodStore(this.config.stateDir, (m) => this.logger.warn(m));
    this.loop = new ReconcileLoop(() => this.pass(), {
      onError: (err) => {
        this.metrics.reconcileErrors.inc();
        this.logger.error({ err: errorMessage(err) }, "reconcile failed; retrying with backoff");
        this.emit("change");
      },
    });
  }

  get currentConfig(): Config {
    return this.config;
  }

  async start(): Promise<void> {
    this.identity = await loadOrCreateIdentity({
      stateDir: this.config.stateDir,
      clusterId: this.config.clusterID,
    });
    this.logger.info(
      {
        nodeId: this.identity.nodeId,
        publicKey: this.identity.publicKey,
        address: String(this.identity.address),
      },
      "identity loaded",
    );
    this.lastGood = await this.lastGoodStore.load();
    const secret = this.config.clusterSecret.reveal();
    this.prober = new Prober(
      deriveProbeKey(secret),
      this.options.probePort ?? DEFAULT_PROBE_PORT,
      this.logger,
    );
    // Probes only speed up failure detection; without them the handshake and
    // counter rules still apply, so a busy port is a warning, not a failure.
    await this.prober.start().catch((err: Error) => {
      this.logger.warn({ err: err.message }, "path probes disabled: cannot bind the probe port");
    });
    this.services = this.createServices();
    this.services.on("change", () => this.loop.trigger());
    this.facts.watch();
    this.services.start();
    this.loop.trigger();
  }

  /** Applies a reloaded configuration; the caller has checked it needs no restart. */
  async reload(config: Config, changedPaths: readonly string[]): Promise<void> {
    this.config = config;
    if (changedPaths.some((p) => p === "discovery" || p.startsWith("discovery."))) {
      // New clients re-publish and re-watch; the old ones stop without deleting anything.
      const previous = this.services;
      this.services = this.createServices();
      this.services.on("change", () => this.loop.trigger());
      this.services.start();
      await previous.stop();
    }
    this.logger.info({ changed: changedPaths }, "configuration reloaded");
    this.loop.trigger();
  }

  /** Deletes our affiliate everywhere, then removes everything we programmed. */
  async leave(): Promise<void> {
    await this.services.leave();
    await this.teardown();
  }

  async stop(options: { cleanup: boolean }): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.loop.stop();
    if (this.config.discovery.deleteOnStop) {
      await this.services
        .leave()
        .catch((err: Error) => this.logger.warn({ err: err.message }, "delete on stop failed"));
    }
    await this.services?.stop();
    this.prober?.close();
    this.facts.close();
    if (options.cleanup) await this.teardown();
    await this.host.close();
  }

  discoveryStatuses() {
    return this.services?.statuses() ?? [];
  }

  rawRecords() {
    return this.services?.rawRecords() ?? [];
  }

  peerTrackers(): ReadonlyMap<string, PeerTracker> {
    return this.trackers;
  }

  membersList() {
    return membersOf(this.last?.merged ?? []);
  }

  private createServices(): DiscoveryServices {
    const key = ClusterKey.fromSecret(this.config.clusterSecret.reveal().toString("base64"));
    const codec = discoveryPayloadCodec(key);
    const clients = this.config.discovery.endpoints.map(
      (endpoint) =>
        new DiscoveryClient({
          name: endpoint.url,
          target: endpoint.target,
          tls: endpoint.tls,
          caFile: this.config.discovery.caFile,
          clusterId: this.config.clusterID,
          affiliateId: this.identity.nodeId,
          clientVersion: `kubespand/v${VERSION}`,
          ttlSeconds: DISCOVERY_TTL_SECONDS,
          open: codec.open,
          crypto: codec.crypto,
          logger: this.logger.child({ component: "discovery", service: endpoint.url }),
        }),
    );
    return new DiscoveryServices(clients);
  }

  private async pass(): Promise<number | undefined> {
    const timer = this.metrics.reconcileDuration.startTimer();
    const settings = hostSettings(this.config);
    // Read before the records and used for this pass only: the snapshot can
    // arrive while the pass awaits the device, and a pass that saw the records
    // before it must not take "no affiliates" for the cluster's answer.
    const synced = this.services.synced();
    const base = {
      config: this.config,
      settings,
      identity: this.identity,
      presharedKey: this.config.clusterSecret.reveal().toString("base64"),
      hostname: osHostname(),
      operatingSystem: this.operatingSystem,
      hostAddresses: await this.facts.addresses(),
      publicIP: this.services.publicIP(),
      raw: this.services.rawRecords(),
      trackers: this.trackers,
      lastGood: this.lastGood,
      previousHarvest: this.harvest,
    };
    // Taken before the read: a handshake the read shows is never later than `now`.
    let now = Date.now();
    let device = await this.readDevice();
    let result = planPass({ ...base, now, device, probeOk: (ip) => this.probeOutcome(ip, now) });
    if (!this.deviceOpen) {
      // First pass: open (or adopt) the device before deciding anything, so a
      // restarted daemon sees the sessions the kernel already has.
      device = await this.host.open(result.plan);
      this.deviceOpen = true;
      now = Date.now();
      result = planPass({ ...base, now, device, probeOk: (ip) => this.probeOutcome(ip, now) });
    }
    if (!synced && (device?.peers.length ?? 0) > 0) {
      // An adopted device keeps its peers until discovery has told us who is
      // in the cluster: a restart must not drop traffic, nor must a restart
      // while the discovery service is unreachable.
      timer();
      this.markReady(result.plan);
      return now + HOLD_POLL_MS;
    }
    this.lastApply = await this.applyHost(result.plan, device, now);
    this.metrics.observeBackend(this.lastApply.backend.kind);
    await this.act(result, device, now);
    this.remember(result);
    timer();
    this.markReady(result.plan);
    this.emit("change");
    return result.nextCheckAt;
  }

  /** The device, or undefined before it is open or when it cannot be read (the full apply re-creates it). */
  private async readDevice(): Promise<ObservedDevice | undefined> {
    if (!this.deviceOpen) return undefined;
    try {
      return await this.host.readDevice();
    } catch (err) {
      this.logger.warn(
        { err: errorMessage(err) },
        "cannot read the WireGuard device; re-applying the host plan",
      );
      this.fullApply = undefined;
      return undefined;
    }
  }

  private async applyHost(plan: HostPlan, device: ObservedDevice | undefined, now: number) {
    const key = hostPlanKey(plan);
    if (device !== undefined && !needsFullApply(this.fullApply, key, now)) {
      return this.host.applyPeers(plan, device);
    }
    // Cleared first: after a failed full apply the next pass tries a full one again.
    this.fullApply = undefined;
    const applied = await this.host.apply(plan);
    this.fullApply = { key, at: now };
    return applied;
  }

  private async act(result: PassResult, planned: ObservedDevice | undefined, now: number): Promise<void> {
    const desired = new Map(result.plan.wireguard.peers.map((p) => [p.publicKey, p]));
    const kicked: string[] = [];
    for (const [publicKey, decision] of result.decisions) {
      this.logTransition(result.trackers.get(publicKey), decision);
      if (decision.kick) kicked.push(publicKey);
      if (decision.setEndpoint) {
        const previous = this.trackers.get(publicKey)?.status.lastUsedEndpoint;
        if (previous && !previous.equals(decision.setEndpoint))
          this.metrics.rotations.inc({ reason: "rotate" });
      }
    }
    await this.kick(kicked, desired, new FreshHandshakes(planned, () => this.readDevice()));
    for (const address of result.probes) {
      this.prober.probe(address.toString(), now);
      this.pendingProbes.set(address.toString(), now);
    }
    try {
      this.services.setLocalData(result.payload);
    } catch (err) {
      this.logger.error({ err: errorMessage(err) }, "local affiliate not published");
    }
    if (result.trimmedEndpoints.length > 0) {
      this.logger.warn(
        { trimmed: result.trimmedEndpoints.map(String) },
        "more than 64 endpoints; lowest dropped",
      );
    }
  }

  /**
   * A peer coming up or going down is logged at info (what an operator
   * follows); other state changes and every endpoint dialled at debug, since
   * an unreachable peer cycles through them for as long as it stays away.
   */
  private logTransition(tracker: PeerTracker | undefined, decision: Decision): void {
    if (tracker === undefined) return;
    const { label, state, lastUsedEndpoint } = tracker.status;
    const peer = { peer: label || shortKey(tracker.publicKey), endpoint: lastUsedEndpoint?.toString() };
    if (decision.stateChanged) {
      const wasUp = this.trackers.get(tracker.publicKey)?.status.state === "up";
      const level = state === "up" || wasUp ? "info" : "debug";
      this.logger[level](
        { ...peer, state, ...(tracker.reason ? { reason: tracker.reason } : {}) },
        "peer state changed",
      );
    }
    if (decision.kick) this.logger.debug(peer, "dialling endpoint");
  }

  /** Starts a handshake towards each peer's (new) endpoint now (dials.ts says how). */
  private async kick(
    publicKeys: readonly string[],
    desired: ReadonlyMap<string, DesiredPeer>,
    handshakes: FreshHandshakes,
  ): Promise<void> {
    const dials = await planDials(publicKeys, desired, handshakes);
    for (const publicKey of dials.skipped) {
      this.logger.debug({ peer: shortKey(publicKey) }, "handshake while planning; not re-created");
    }
    if (dials.skipped.length > 0) this.loop.trigger();
    await this.host.rehandshake(dials.recreate);
    await this.host.kick(dials.toggle, this.config.kubespan.persistentKeepaliveSeconds);
  }

  private remember(result: PassResult): void {
    const previousKeys = new Set(this.trackers.keys());
    this.trackers = result.trackers;
    this.harvest = result.harvest;
    this.last = result;
    for (const key of previousKeys) if (!this.trackers.has(key)) this.lastGood.delete(key);
    for (const [key, tracker] of this.trackers)
      if (tracker.lastGood) this.lastGood.set(key, tracker.lastGood);
    this.lastGoodStore
      .save(this.lastGood)
      .catch((err: Error) => this.logger.warn({ err: err.message }, "cannot save last-good endpoints"));
    this.prober.forget(new Set(result.specs.map((s) => s.address.toString())));
    const now = Date.now();
    this.metrics.observePeers(this.trackers.values(), now);
    this.metrics.observeDiscovery(this.services.statuses(), now);
    this.metrics.observeRejections(result.rejections.map((r) => r.reason));
  }

  /** The outcome of the probe sent to `ip` at an earlier pass, reported once. */
  private probeOutcome(ip: IP, now: number): boolean | undefined {
    const address = ip.toString();
    const sentAt = this.pendingProbes.get(address);
    if (sentAt === undefined) return undefined;
    const record = this.prober.result(address);
    if (record && record.lastReplyAt >= sentAt) {
      this.pendingProbes.delete(address);
      return true;
    }
    // A reply through a working tunnel takes one RTT; most of a second without one is a miss.
    if (now - sentAt >= 900) {
      this.pendingProbes.delete(address);
      return false;
    }
    return undefined;
  }

  private markReady(plan: HostPlan): void {
    if (this.readyEmitted) return;
    this.readyEmitted = true;
    this.logger.info(
      { interface: plan.link.name, backend: this.lastApply?.backend },
      "KubeSpan interface programmed",
    );
    this.emit("ready");
  }

  private async teardown(): Promise<void> {
    if (!this.last) return;
    await this.loop.stop();
    const changes = await this.host.teardown(this.last.plan);
    this.deviceOpen = false;
    this.logger.info({ changes: changes.length }, "mesh torn down");
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
