// Which IP a call comes from (discovery protocol §7.7). The result is echoed
// to the client in Hello and keys its rate-limit bucket, so the proxy headers
// are only believed when the operator says a proxy sets them.
import { IP } from "../net/ip.js";

export interface ClientIPTrust {
  /** Believe `x-real-ip` (only behind a proxy that overwrites it). */
  readonly xRealIP: boolean;
  /** Believe the first element of `x-forwarded-for` (same caveat). */
  readonly firstXForwardedFor: boolean;
}

export const NO_HEADER_TRUST: ClientIPTrust = { xRealIP: false, firstXForwardedFor: false };

/** Reads one metadata value; grpc-js `Metadata.get` returns every value of a key. */
export type MetadataLookup = (key: string) => readonly (string | Buffer)[];

const IPV4_MAPPED_PREFIX = 0xffffn;

/** Reports `::ffff:a.b.c.d` as the IPv4 address it stands for. */
export function unmapIPv4(ip: IP): IP {
  if (ip.family === 6 && ip.value >> 32n === IPV4_MAPPED_PREFIX) return IP.v4(ip.value & 0xffffffffn);
  return ip;
}

function parseIP(text: string): IP | undefined {
  const ip = IP.tryParse(text);
  return ip ? unmapIPv4(ip) : undefined;
}

/**
 * Parses the transport peer as grpc-js prints it: `address:port`, where an
 * IPv6 address is not bracketed (`::ffff:127.0.0.1:5000`), or a bare address.
 */
export function parsePeer(peer: string): IP | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(peer);
  if (bracketed) return parseIP(bracketed[1]!);
  const withPort = /^(.*):(\d+)$/.exec(peer);
  if (withPort) {
    const ip = parseIP(withPort[1]!);
    if (ip) return ip;
  }
  return parseIP(peer);
}

function firstText(values: readonly (string | Buffer)[]): string | undefined {
  const value = values[0];
  return typeof value === "string" ? value : undefined;
}

/** The first of: trusted x-real-ip, trusted first x-forwarded-for element, transport peer. */
export function clientIP(lookup: MetadataLookup, peer: string, trust: ClientIPTrust): IP | undefined {
  if (trust.xRealIP) {
    const text = firstText(lookup("x-real-ip"));
    const ip = text === undefined ? undefined : parseIP(text);
    if (ip) return ip;
  }
  if (trust.firstXForwardedFor) {
    const text = firstText(lookup("x-forwarded-for"));
    const ip = text === undefined ? undefined : parseIP(text.split(",")[0]!.trim());
    if (ip) return ip;
  }
  return parsePeer(peer);
}
