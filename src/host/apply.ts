// Applying a HostPlan by diff. Every step reads what the kernel has, computes
// the difference with a pure function and sends only that, so applying the
// same plan again changes nothing: that is how a restarted daemon adopts the
// state of the previous one without dropping traffic.
//
// Order matters: conflicts are checked before anything is touched; WireGuard
// peers and routes are in place before nftables starts marking packets into
// the tunnel.
import { ConflictError, findConflicts } from "./conflicts.js";
import { applyNftables, deleteNftTable, listRuleset, type NftOptions } from "./nft-apply.js";
import { isOwnRule, isStaleOwnRule } from "./ownership.js";
import type { HostPlan } from "./plan.js";
import { diffRouting, linkNeedsUpdate } from "./routing-diff.js";
import { describeRoute, describeRule, Rtnl } from "./rtnl/rtnl.js";
import type { LinkState, RouteState, RuleState } from "./rtnl/types.js";
import { Sysctl } from "./sysctl.js";
import { validateHostPlan } from "./validate.js";
import { diffDevice, isEmptyDiff, kickPatches } from "./wireguard/diff.js";
import { shortKey } from "./wireguard/keys.js";
import { type BackendSelection, type OpenedDevice, openDevice } from "./wireguard/select.js";
import { stopUserspace } from "./wireguard/spawn.js";
import { type DesiredPeer, type ObservedDevice, WireGuardError } from "./wireguard/types.js";
import { uapiSocketPath } from "./wireguard/uapi.js";

export type ChangeArea = "link" | "wireguard" | "address" | "route" | "rule" | "nftables" | "sysctl";

export interface HostChange {
  area: ChangeArea;
  action: "create" | "add" | "update" | "remove";
  /** Human-readable; never contains a secret. */
  detail: string;
}

export interface ApplyResult {
  changes: HostChange[];
  warnings: string[];
  backend: BackendSelection;
}

/** The subset of a pino logger this layer uses. */
export interface HostLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface HostApplierOptions {
  logger?: HostLogger;
  /** /proc/sys, replaceable for tests. */
  sysctl?: Sysctl;
  nft?: NftOptions;
}

const SILENT: HostLogger = { info() {}, warn() {} };
const MAIN_TABLE = 254;

interface RoutingSnapshot {
  links: LinkState[];
  rules: RuleState[];
  routes: RouteState[];
}

/** The uplinks: links carrying a default route in the main table. */
function defaultRouteLinks(snapshot: RoutingSnapshot): string[] {
  const indexes = new Set(
    snapshot.routes
      .filter((r) => r.table === MAIN_TABLE && r.dst.bits === 0 && r.oif !== 0)
      .map((r) => r.oif),
  );
  return snapshot.links.filter((l) => indexes.has(l.index)).map((l) => l.name);
}

export class HostApplier {
  private readonly rtnl = new Rtnl();
  private readonly log: HostLogger;
  private readonly sysctl: Sysctl;
  private device: (OpenedDevice & { linkIndex: number }) | undefined;

  constructor(private readonly options: HostApplierOptions = {}) {
    this.log = options.logger ?? SILENT;
    this.sysctl = options.sysctl ?? new Sysctl();
  }

  async apply(plan: HostPlan): Promise<ApplyResult> {
    validateHostPlan(plan);
    const changes: HostChange[] = [];
    const warnings = await this.checkConflicts(plan, await this.observe());

    const { backend, selection, link } = await this.ensureDevice(plan, changes);
    await this.configurePeers(plan, await backend.read(), changes);
    const routing = await this.applyRouting(plan, link, changes);

    if (await applyNftables(plan.nftables, this.options.nft)) {
      changes.push({
        area: "nftables",
        action: "update",
        detail: `table inet ${plan.nftables.table} replaced`,
      });
    }

    const uplinks = plan.rpFilter.uplinks === "auto" ? defaultRouteLinks(routing) : plan.rpFilter.uplinks;
    const rp = await this.sysctl.checkRpFilter(plan.link.name, uplinks, plan.rpFilter.mode);
    for (const detail of rp.changes) changes.push({ area: "sysctl", action: "update", detail });
    warnings.push(...rp.warnings);

    for (const warning of warnings) this.log.warn({ component: "host" }, warning);
    if (changes.length > 0) this.log.info({ component: "host", changes }, "host state changed");
    return { changes, warnings, backend: selection };
  }

  /**
   * Applies only the WireGuard part of the plan, against a device read the
   * caller just made. The cheap step a daemon takes when nothing but peers can
   * have changed; `apply` (routes, rules, nftables, sysctls, conflicts) stays
   * the way drift is repaired. Throws when the device is not open.
   */
  async applyPeers(plan: HostPlan, observed: ObservedDevice): Promise<ApplyResult> {
    const { selection } = this.requireDevice();
    const changes: HostChange[] = [];
    await this.configurePeers(plan, observed, changes);
    if (changes.length > 0) this.log.info({ component: "host", changes }, "host state changed");
    return { changes, warnings: [], backend: selection };
  }

  /** Sends the difference between the planned and the observed device, and records it. */
  private async configurePeers(plan: HostPlan, observed: ObservedDevice, changes: HostChange[]) {
    const wg = diffDevice(plan.wireguard, observed);
    if (!isEmptyDiff(wg)) await this.requireDevice().backend.configure(wg.patch);
    for (const field of wg.device) changes.push({ area: "wireguard", action: "update", detail: field });
    for (const key of wg.removed)
      changes.push({ area: "wireguard", action: "remove", detail: `peer ${shortKey(key)}` });
    for (const key of wg.added)
      changes.push({ area: "wireguard", action: "add", detail: `peer ${shortKey(key)}` });
    for (const key of wg.updated)
      changes.push({ area: "wireguard", action: "update", detail: `peer ${shortKey(key)}` });
  }

  /**
   * Makes WireGuard send an initiation to each peer at once, whatever it did
   * before: re-creating a peer drops its session and its initiation rate
   * limit, and its persistent keepalive then starts a handshake. All peers go
   * in two device operations (remove all, add all), not two per peer.
   */
  async rehandshake(peers: readonly DesiredPeer[]): Promise<void> {
    if (peers.length === 0) return;
    const { backend } = this.requireDevice();
    await backend.configure({
      peers: peers.map((peer) => ({ publicKey: peer.publicKey, remove: true as const })),
    });
    await backend.configure({
      peers: peers.map((peer) => ({
        publicKey: peer.publicKey,
        presharedKey: peer.presharedKey,
        ...(peer.endpoint ? { endpoint: peer.endpoint } : {}),
        keepaliveSeconds: peer.keepaliveSeconds,
        replaceAllowedIPs: true,
        allowedIPs: peer.allowedIPs,
      })),
    });
  }

  /**
   * Opens (or adopts) the WireGuard device without programming anything else,
   * and reads it: a restarted daemon sees the sessions and roamed endpoints
   * the device already has before it plans.
   */
  async open(plan: HostPlan): Promise<ObservedDevice> {
    validateHostPlan(plan);
    await this.checkConflicts(plan, await this.observe());
    const { backend } = await this.ensureDevice(plan, []);
    return backend.read();
  }

  /** The device as the backend reports it (peers, handshakes, counters), for status. */
  async readDevice(): Promise<ObservedDevice> {
    return this.requireDevice().backend.read();
  }

  /**
   * Makes WireGuard send a handshake to each peer now (spec §14: after an
   * endpoint change): keepalive off for all of them, then on for all of them.
   */
  async kick(publicKeys: readonly string[], keepaliveSeconds: number): Promise<void> {
    if (publicKeys.length === 0) return;
    const { backend } = this.requireDevice();
    const patches = publicKeys.map((key) => kickPatches(key, keepaliveSeconds));
    for (const step of [0, 1] as const)
      await backend.configure({ peers: patches.flatMap((p) => p[step].peers) });
  }

  /**
   * Removes everything this project creates and nothing else (spec §10.8):
   * our rules, the link (its address and routes go with it, and so does a
   * userspace implementation serving it) and our nftables table.
   */
  async teardown(plan: HostPlan): Promise<HostChange[]> {
    const changes: HostChange[] = [];
    const ours = (await this.rtnl.rules()).filter((r) => isOwnRule(r, plan) || isStaleOwnRule(r, plan));
    for (const rule of ours) {
      await this.rtnl.deleteRule(rule);
      changes.push({ area: "rule", action: "remove", detail: describeRule(rule) });
    }
    await this.device?.backend.close();
    this.device = undefined;
    const link = await this.rtnl.findLink(plan.link.name);
    if (link?.kind === "tun") {
      const socketPath = uapiSocketPath(plan.link.name, plan.device.socketDir);
      const options = {
        binary: plan.device.userspaceBinary,
        socketPath,
        startTimeoutMs: plan.device.startTimeoutMs,
      };
      if (await stopUserspace(plan.link.name, options)) {
        changes.push({ area: "link", action: "remove", detail: `stopped ${plan.device.userspaceBinary}` });
      }
    }
    const remaining = await this.rtnl.findLink(plan.link.name);
    if (remaining) await this.rtnl.deleteLink(remaining.index, remaining.name);
    if (link) changes.push({ area: "link", action: "remove", detail: plan.link.name });
    if (await deleteNftTable(plan.nftables.table, this.options.nft)) {
      changes.push({ area: "nftables", action: "remove", detail: `table inet ${plan.nftables.table}` });
    }
    if (changes.length > 0) this.log.info({ component: "host", changes }, "host state removed");
    return changes;
  }

  async close(): Promise<void> {
    await this.device?.backend.close();
    this.device = undefined;
    this.rtnl.close();
  }

  /** One read of the routing state; routes of all tables, since ownership spans tables. */
  private async observe(): Promise<RoutingSnapshot> {
    return {
      links: await this.rtnl.links(),
      rules: await this.rtnl.rules(),
      routes: await this.rtnl.routes(),
    };
  }

  private async checkConflicts(plan: HostPlan, snapshot: RoutingSnapshot): Promise<string[]> {
    const tables = new Set([...plan.routes.map((r) => r.table), ...plan.rules.map((r) => r.table)]);
    const report = findConflicts(plan, {
      link: snapshot.links.find((l) => l.name === plan.link.name),
      rules: snapshot.rules,
      tableRoutes: snapshot.routes.filter((r) => tables.has(r.table)),
      ruleset: await listRuleset(this.options.nft),
      linkNames: snapshot.links.map((l) => l.name),
    });
    if (report.conflicts.length > 0) throw new ConflictError(report.conflicts);
    return report.warnings;
  }

  /** Opens the device once and again whenever its link went away or was re-created. */
  private async ensureDevice(
    plan: HostPlan,
    changes: HostChange[],
  ): Promise<OpenedDevice & { link: LinkState }> {
    let link = await this.rtnl.findLink(plan.link.name);
    if (this.device === undefined || link === undefined || link.index !== this.device.linkIndex) {
      await this.device?.backend.close();
      const opened = await openDevice(this.rtnl, { ifname: plan.link.name, ...plan.device });
      link = await this.rtnl.findLink(plan.link.name);
      if (link === undefined)
        throw new WireGuardError(`link ${plan.link.name} vanished right after it was opened`);
      this.device = { ...opened, linkIndex: link.index };
      this.log.info(
        { component: "host", backend: opened.selection },
        `WireGuard backend: ${opened.selection.kind}`,
      );
      if (!opened.selection.adopted) {
        changes.push({
          area: "link",
          action: "create",
          detail: `${plan.link.name} (${opened.selection.reason})`,
        });
      }
    }
    return { ...this.device, link };
  }

  /** Link, address, routes and rules; resolves with the state it read, after the link update. */
  private async applyRouting(
    plan: HostPlan,
    link: LinkState,
    changes: HostChange[],
  ): Promise<RoutingSnapshot> {
    if (linkNeedsUpdate(plan, link)) {
      await this.rtnl.setLinkMtuUp(link.index, link.name, plan.link.mtu);
      changes.push({ area: "link", action: "update", detail: `${link.name} up, MTU ${plan.link.mtu}` });
    }
    const snapshot = await this.observe();
    const ops = diffRouting(plan, {
      link,
      addresses: await this.rtnl.addresses(link.index),
      routes: snapshot.routes,
      rules: snapshot.rules,
    });
    for (const prefix of ops.removeAddresses) {
      await this.rtnl.deleteAddress(link.index, prefix);
      changes.push({ area: "address", action: "remove", detail: String(prefix) });
    }
    for (const prefix of ops.addAddresses) {
      await this.rtnl.addAddress(link.index, prefix);
      changes.push({ area: "address", action: "add", detail: String(prefix) });
    }
    for (const route of ops.removeRoutes) {
      await this.rtnl.deleteRoute(route, link.index);
      changes.push({ area: "route", action: "remove", detail: describeRoute(route) });
    }
    for (const route of ops.addRoutes) {
      await this.rtnl.addRoute(route, link.index);
      changes.push({ area: "route", action: "add", detail: describeRoute(route) });
    }
    for (const rule of ops.removeRules) {
      await this.rtnl.deleteRule(rule);
      changes.push({ area: "rule", action: "remove", detail: describeRule(rule) });
    }
    for (const rule of ops.addRules) {
      await this.rtnl.addRule(rule);
      changes.push({ area: "rule", action: "add", detail: describeRule(rule) });
    }
    return snapshot;
  }

  private requireDevice(): OpenedDevice {
    if (this.device === undefined)
      throw new WireGuardError("the WireGuard device is not open: apply a plan first");
    return this.device;
  }
}
