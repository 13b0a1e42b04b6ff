// Fast paths for address text on the UAPI wire. A device with thousands of
// peers carries tens of thousands of allowed IPs on every read and every cold
// write, and the general parser and printer of src/net/ip.ts are then most of
// the cost of an apply.
// - Reading: dotted IPv4 and plain hex-group IPv6 (`fd00::1`), the forms
//   WireGuard implementations print. Any other form (an embedded IPv4, a zone)
//   goes to the general parser, so results never differ.
// - Writing: dotted IPv4 and uncompressed IPv6, which every implementation
//   accepts; display text keeps using IP.toString.
import { type Endpoint, IP, Prefix } from "../../net/ip.js";

export function wireIP(ip: IP): string {
  if (ip.family === 4) {
    const n = Number(ip.value);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const hex = ip.value.toString(16).padStart(32, "0");
  let out = hex.slice(0, 4);
  for (let i = 4; i < 32; i += 4) out += `:${hex.slice(i, i + 4)}`;
  return out;
}

export function wirePrefix(prefix: Prefix): string {
  return `${wireIP(prefix.ip)}/${prefix.bits}`;
}

export function wireEndpoint(endpoint: Endpoint): string {
  const ip = wireIP(endpoint.ip);
  return endpoint.ip.family === 4 ? `${ip}:${endpoint.port}` : `[${ip}]:${endpoint.port}`;
}

export function parseIP(text: string): IP | undefined {
  if (!text.includes(":")) return parseV4(text);
  if (text.includes(".") || text.includes("%")) return IP.tryParse(text);
  return parseV6(text);
}

/** `ip/bits`; undefined when malformed or when bits exceed the family's width. */
export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIP(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  return bits <= ip.bits ? Prefix.of(ip, bits) : undefined;
}

function parseV4(text: string): IP | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
      continue;
    }
    const digit = c - 48;
    // No leading zeros, as Go's parser.
    if (digit < 0 || digit > 9 || (digits > 0 && octet === 0)) return undefined;
    octet = octet * 10 + digit;
    digits++;
    if (octet > 255) return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return IP.v4(BigInt(value * 256 + octet));
}

const GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseV6(text: string): IP | undefined {
  const gap = text.indexOf("::");
  if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) return undefined;
  const head = gap < 0 ? text.split(":") : splitGroups(text.slice(0, gap));
  const tail = gap < 0 ? [] : splitGroups(text.slice(gap + 2));
  const missing = 8 - head.length - tail.length;
  if (gap < 0 ? missing !== 0 : missing < 1) return undefined;
  let hex = "";
  for (const group of head) {
    if (!GROUP.test(group)) return undefined;
    hex += group.padStart(4, "0");
  }
  hex += "0000".repeat(gap < 0 ? 0 : missing);
  for (const group of tail) {
    if (!GROUP.test(group)) return undefined;
    hex += group.padStart(4, "0");
  }
  return IP.v6(BigInt(`0x${hex}`));
}

function splitGroups(text: string): string[] {
  return text === "" ? [] : text.split(":");
}
