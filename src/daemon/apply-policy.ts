// When a pass programs the whole host and when only the WireGuard peers.
//
// A full apply reads every route, rule and link, lists the nftables ruleset
// (a process spawn) and checks sysctls: tens of milliseconds, more with many
// peers. Passes come every second while a peer is being tried, and most of
// them only move an endpoint. So a pass applies everything when the part of
// the plan outside the peer list changed, and otherwise at the drift-repair
// cadence; in between it only sends the peer difference against the device
// it has just read.
import { createHash } from "node:crypto";
import type { HostPlan } from "../host/plan.js";

/** Talos's reconcile interval: how soon drift (a deleted rule, a flushed table) is repaired. */
export const FULL_APPLY_INTERVAL_MS = 30_000;

export interface FullApply {
  /** hostPlanKey of the plan last applied in full. */
  readonly key: string;
  /** When that apply ran (ms). */
  readonly at: number;
}

/**
 * A digest of everything a full apply programs except the peers' endpoints
 * and keys: link, address, routes, rules, nftables (which include every
 * peer's allowed IPs), rp_filter and the device settings. Hashed so the
 * private key does not sit in one more string.
 */
export function hostPlanKey(plan: HostPlan): string {
  const { peers: _peers, ...device } = plan.wireguard;
  const { wireguard: _wireguard, ...rest } = plan;
  return createHash("sha256")
    .update(JSON.stringify({ ...rest, wireguard: device }))
    .digest("hex");
}

/** True when this pass must apply the whole plan rather than the peers alone. */
export function needsFullApply(
  last: FullApply | undefined,
  key: string,
  now: number,
  intervalMs = FULL_APPLY_INTERVAL_MS,
): boolean {
  return last === undefined || last.key !== key || now - last.at >= intervalMs;
}
