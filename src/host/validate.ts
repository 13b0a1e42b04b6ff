// Checks a HostPlan before anything touches the host, so that a bad value is
// reported with the field it came from instead of a kernel errno. Secrets are
// checked for shape only and never echoed.
import type { Prefix } from "../net/ip.js";
import type { HostPlan, Marks } from "./plan.js";
import { keyBytes } from "./wireguard/keys.js";
import { WireGuardError } from "./wireguard/types.js";

export class HostPlanError extends Error {
  override name = "HostPlanError";
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

const RESERVED_TABLES = new Set([0, 253, 254, 255]);
const MAIN_RULE_PRIORITY = 32766;

export function validateHostPlan(plan: HostPlan): void {
  const { name } = plan.link;
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) {
    fail("link.name", `expected 1 to 15 letters, digits, "_", "." or "-", got ${JSON.stringify(name)}`);
  }
  integerIn("link.mtu", plan.link.mtu, 1280, 65535);
  if (plan.address.family !== 6 || plan.address.bits !== 64) {
    fail("address", `expected an IPv6 address with length 64, got ${plan.address}`);
  }
  validateDevice(plan);
  for (const [i, route] of plan.routes.entries()) {
    table(`routes[${i}].table`, route.table);
    integerIn(`routes[${i}].metric`, route.metric, 0, 0xffffffff);
    integerIn(`routes[${i}].mtu`, route.mtu, 0, 65535);
  }
  for (const [i, rule] of plan.rules.entries()) {
    table(`rules[${i}].table`, rule.table);
    // Below the main-table rule, or the rule would never be reached.
    integerIn(`rules[${i}].priority`, rule.priority, 1, MAIN_RULE_PRIORITY - 1);
    integerIn(`rules[${i}].fwmark`, rule.fwmark, 1, 0xffffffff);
    if ((rule.fwmark & rule.fwmask) >>> 0 !== rule.fwmark)
      fail(`rules[${i}].fwmark`, "has bits outside fwmask");
  }
  validateMarks(plan.nftables.marks);
  if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(plan.nftables.table)) {
    fail("nftables.table", `expected an nftables identifier, got ${JSON.stringify(plan.nftables.table)}`);
  }
  integerIn("nftables.mtu", plan.nftables.mtu, 1280, 65535);
  families("nftables.dst4", plan.nftables.dst4, 4);
  families("nftables.dst6", plan.nftables.dst6, 6);
}

function validateDevice(plan: HostPlan): void {
  const device = plan.wireguard;
  secretKey("wireguard.privateKey", device.privateKey);
  integerIn("wireguard.listenPort", device.listenPort, 0, 65535);
  integerIn("wireguard.fwmark", device.fwmark, 0, 0xffffffff);
  const seenKeys = new Set<string>();
  const owners = new Map<string, number>();
  for (const [i, peer] of device.peers.entries()) {
    const field = `wireguard.peers[${i}]`;
    secretKey(`${field}.publicKey`, peer.publicKey);
    if (peer.presharedKey !== undefined) secretKey(`${field}.presharedKey`, peer.presharedKey);
    if (seenKeys.has(peer.publicKey)) fail(`${field}.publicKey`, `duplicate peer ${peer.publicKey}`);
    seenKeys.add(peer.publicKey);
    integerIn(`${field}.keepaliveSeconds`, peer.keepaliveSeconds, 0, 65535);
    // WireGuard keeps each allowed IP on one peer only: a duplicate would move
    // back and forth on every apply.
    for (const prefix of peer.allowedIPs) {
      const key = String(prefix.masked());
      const owner = owners.get(key);
      if (owner !== undefined && owner !== i) {
        fail(`${field}.allowedIPs`, `${key} is also an allowed IP of wireguard.peers[${owner}]`);
      }
      owners.set(key, i);
    }
  }
}

function validateMarks(marks: Marks): void {
  integerIn("nftables.marks.mask", marks.mask, 1, 0xffffffff);
  for (const field of ["wireguard", "route"] as const) {
    integerIn(`nftables.marks.${field}`, marks[field], 1, 0xffffffff);
    if ((marks[field] & marks.mask) >>> 0 !== marks[field]) {
      fail(
        `nftables.marks.${field}`,
        `0x${marks[field].toString(16)} has bits outside the mask 0x${marks.mask.toString(16)}`,
      );
    }
  }
  if ((marks.wireguard & marks.route) !== 0) {
    fail("nftables.marks", "the WireGuard mark and the route mark share bits");
  }
}

function secretKey(field: string, key: string): void {
  try {
    keyBytes(key, field);
  } catch (err) {
    if (err instanceof WireGuardError)
      fail(field, "expected a 32-byte key in standard base64 (44 characters)");
    throw err;
  }
}

function table(field: string, value: number): void {
  integerIn(field, value, 1, 0xffffffff);
  if (RESERVED_TABLES.has(value))
    fail(field, `${value} is a reserved routing table (default, main or local)`);
}

function families(field: string, prefixes: Prefix[], family: 4 | 6): void {
  const wrong = prefixes.find((p) => p.family !== family);
  if (wrong) fail(field, `expected IPv${family} prefixes only, got ${wrong}`);
}

function integerIn(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(field, `expected an integer from ${min} to ${max}, got ${value}`);
  }
}

function fail(field: string, problem: string): never {
  throw new HostPlanError(field, problem);
}
