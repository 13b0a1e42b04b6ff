// IP addresses, prefixes and endpoints as small immutable values.
//
// Text parsing goes through `ip-address`; the value itself is a bigint so
// that set arithmetic (src/net/ipset.ts) and comparisons are cheap. Text
// output follows Go's netip form (dotted IPv4, RFC 5952 IPv6, `[v6]:port`),
// because that is what Talos prints and what the test vectors use.
import { Address4, Address6 } from "ip-address";

export type Family = 4 | 6;

export class IPError extends Error {
  override name = "IPError";
}

export class IP {
  private constructor(
    readonly family: Family,
    readonly value: bigint,
  ) {}

  static v4(value: bigint): IP {
    if (value < 0n || value > MAX4) throw new IPError(`IPv4 value out of range: ${value}`);
    return new IP(4, value);
  }

  static v6(value: bigint): IP {
    if (value < 0n || value > MAX6) throw new IPError(`IPv6 value out of range: ${value}`);
    return new IP(6, value);
  }

  static of(family: Family, value: bigint): IP {
    return family === 4 ? IP.v4(value) : IP.v6(value);
  }

  /** Parses dotted IPv4 or IPv6 text (no zone, no prefix). Throws IPError. */
  static parse(text: string): IP {
    const ip = IP.tryParse(text);
    if (!ip) throw new IPError(`not an IP address: ${JSON.stringify(text)}`);
    return ip;
  }

  static tryParse(text: string): IP | undefined {
    if (text.includes("/") || text.includes("%")) return undefined;
    if (text.includes(":")) {
      if (!Address6.isValid(text)) return undefined;
      return new IP(6, new Address6(text).bigInt());
    }
    // ip-address accepts some forms Go rejects (leading zeros); be strict.
    if (!/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(text))
      return undefined;
    return new IP(4, new Address4(text).bigInt());
  }

  /** Go netip binary form: 4 bytes for IPv4, 16 for IPv6. */
  static fromBytes(bytes: Uint8Array): IP | undefined {
    if (bytes.length !== 4 && bytes.length !== 16) return undefined;
    let v = 0n;
    for (const b of bytes) v = (v << 8n) | BigInt(b);
    return new IP(bytes.length === 4 ? 4 : 6, v);
  }

  get bits(): number {
    return this.family === 4 ? 32 : 128;
  }

  toBytes(): Buffer {
    const n = this.family === 4 ? 4 : 16;
    const out = Buffer.alloc(n);
    let v = this.value;
    for (let i = n - 1; i >= 0; i--) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return out;
  }

  isZero(): boolean {
    return this.value === 0n;
  }

  isLoopback(): boolean {
    return this.family === 4 ? this.value >> 24n === 127n : this.value === 1n;
  }

  isLinkLocal(): boolean {
    // 169.254.0.0/16 and fe80::/10
    return this.family === 4 ? this.value >> 16n === 0xa9fen : this.value >> 118n === 0x3fan;
  }

  isMulticast(): boolean {
    return this.family === 4 ? this.value >> 28n === 0xen : this.value >> 120n === 0xffn;
  }

  /** RFC 1918, RFC 6598 (CGNAT) and IPv6 ULA fc00::/7. */
  isPrivate(): boolean {
    if (this.family === 6) return this.value >> 121n === 0x7en;
    const v = this.value;
    return v >> 24n === 10n || v >> 20n === 0xac1n || v >> 16n === 0xc0a8n || v >> 22n === 0x191n;
  }

  equals(other: IP): boolean {
    return this.family === other.family && this.value === other.value;
  }

  toString(): string {
    return this.family === 4 ? formatV4(this.value) : formatV6(this.value);
  }

  toJSON(): string {
    return this.toString();
  }
}

const MAX4 = (1n << 32n) - 1n;
const MAX6 = (1n << 128n) - 1n;

function formatV4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join(".");
}

function formatV6(v: bigint): string {
  if (v >> 32n === 0xffffn) return `::ffff:${formatV4(v & MAX4)}`;
  const groups: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((v >> s) & 0xffffn));
  // RFC 5952: compress the longest run (≥ 2) of zero groups, first one on ties.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

export function compareIP(a: IP, b: IP): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export class Prefix {
  private constructor(
    readonly ip: IP,
    readonly bits: number,
  ) {}

  /** A prefix as given (host bits kept, like Go's netip.Prefix). Throws IPError on bad bits. */
  static of(ip: IP, bits: number): Prefix {
    if (!Number.isInteger(bits) || bits < 0 || bits > ip.bits) {
      throw new IPError(`prefix length ${bits} out of range for IPv${ip.family}`);
    }
    return new Prefix(ip, bits);
  }

  /** Parses `ip/bits`, or a bare IP as a host prefix. Throws IPError. */
  static parse(text: string): Prefix {
    const slash = text.indexOf("/");
    if (slash < 0) {
      const ip = IP.parse(text);
      return new Prefix(ip, ip.bits);
    }
    const ip = IP.parse(text.slice(0, slash));
    const bitsText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(bitsText)) throw new IPError(`bad prefix length in ${JSON.stringify(text)}`);
    return Prefix.of(ip, Number(bitsText));
  }

  static host(ip: IP): Prefix {
    return new Prefix(ip, ip.bits);
  }

  get family(): Family {
    return this.ip.family;
  }

  /** The prefix with host bits cleared. */
  masked(): Prefix {
    return new Prefix(IP.of(this.ip.family, this.first()), this.bits);
  }

  first(): bigint {
    const hostBits = BigInt(this.ip.bits - this.bits);
    return (this.ip.value >> hostBits) << hostBits;
  }

  last(): bigint {
    const hostBits = BigInt(this.ip.bits - this.bits);
    return this.first() | ((1n << hostBits) - 1n);
  }

  contains(ip: IP): boolean {
    return ip.family === this.family && ip.value >= this.first() && ip.value <= this.last();
  }

  overlaps(other: Prefix): boolean {
    return other.family === this.family && other.first() <= this.last() && this.first() <= other.last();
  }

  equals(other: Prefix): boolean {
    return this.bits === other.bits && this.ip.equals(other.ip);
  }

  toString(): string {
    return `${this.ip}/${this.bits}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

export class Endpoint {
  private constructor(
    readonly ip: IP,
    readonly port: number,
  ) {}

  /** Throws IPError unless 1 ≤ port ≤ 65535. */
  static of(ip: IP, port: number): Endpoint {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new IPError(`port out of range: ${port}`);
    return new Endpoint(ip, port);
  }

  /** Parses `a.b.c.d:port` or `[v6]:port`. Throws IPError. */
  static parse(text: string): Endpoint {
    const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
    if (!m) throw new IPError(`not an ip:port endpoint: ${JSON.stringify(text)}`);
    const host = m[1] ?? m[2] ?? "";
    const ip = IP.parse(host);
    if (m[1] !== undefined && ip.family !== 6)
      throw new IPError(`brackets around IPv4 in ${JSON.stringify(text)}`);
    return Endpoint.of(ip, Number(m[3]));
  }

  equals(other: Endpoint): boolean {
    return this.port === other.port && this.ip.equals(other.ip);
  }

  toString(): string {
    return this.ip.family === 4 ? `${this.ip}:${this.port}` : `[${this.ip}]:${this.port}`;
  }

  toJSON(): string {
    return this.toString();
  }
}
