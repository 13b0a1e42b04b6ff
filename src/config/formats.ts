// String formats used by the configuration schema.
//
// Each check returns why a value is wrong, as "must …, found …", or
// undefined when it is fine. The same functions back the JSON-schema
// `format` keyword (validity) and the error messages (explanation), so the
// two cannot disagree.
import { Endpoint, Prefix } from "../net/ip.js";
import { discoveryURLProblem } from "./discovery-url.js";
import { parseGoDuration } from "./duration.js";
import { clusterSecretProblem } from "./secret.js";

export type FormatCheck = (value: string) => string | undefined;

/** WireGuard stores the keepalive interval as a 16-bit number of seconds. */
export const MAX_KEEPALIVE_SECONDS = 65535;
const MAX_U32 = 0xffffffff;
const IFNAMSIZ = 16;

const found = (value: string) => `found ${JSON.stringify(value)}`;

function prefix(value: string): string | undefined {
  try {
    Prefix.parse(value);
    return undefined;
  } catch {
    return `must be a CIDR (10.0.0.0/8, fd00::/8) or a bare IP address, ${found(value)}`;
  }
}

function filterRule(value: string): string | undefined {
  const rule = value.startsWith("!") ? value.slice(1) : value;
  return prefix(rule) === undefined
    ? undefined
    : `must be a CIDR or a bare IP address, optionally prefixed with "!", ${found(value)}`;
}

function endpoint(value: string): string | undefined {
  try {
    Endpoint.parse(value);
    return undefined;
  } catch {
    return `must be ip:port ([ipv6]:port for IPv6), ${found(value)}`;
  }
}

function listenAddress(value: string): string | undefined {
  if (value === "" || endpoint(value) === undefined) return undefined;
  return `must be ip:port ([ipv6]:port for IPv6) or "" to disable, ${found(value)}`;
}

function absolutePath(value: string): string | undefined {
  return value.startsWith("/") && !value.includes("\0")
    ? undefined
    : `must be an absolute path, ${found(value)}`;
}

function interfaceName(value: string): string | undefined {
  if (/^[A-Za-z0-9_.-]+$/.test(value) && value.length < IFNAMSIZ && value !== "." && value !== "..") {
    return undefined;
  }
  return `must be a network interface name (letters, digits, "_", "-", ".", at most ${IFNAMSIZ - 1} characters), ${found(value)}`;
}

function interfacePattern(value: string): string | undefined {
  if (/^[A-Za-z0-9_.*?-]+$/.test(value) && value.length < IFNAMSIZ) return undefined;
  return `must be an interface name or a pattern with "*" or "?" such as "docker*", ${found(value)}`;
}

// Kubernetes node names are DNS subdomains (RFC 1123, lowercase).
function nodeName(value: string): string | undefined {
  const label = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
  if (value.length <= 253 && new RegExp(`^${label}(?:\\.${label})*$`).test(value)) return undefined;
  return `must be a lowercase DNS name (a-z, 0-9, "-", "."), ${found(value)}`;
}

function hexNumber(value: string): string | undefined {
  const n = /^0x[0-9a-f]{1,8}$/i.test(value) ? Number(value) : 0;
  return n >= 1 && n <= MAX_U32
    ? undefined
    : `must be a number or a hex string between 0x1 and 0xffffffff, ${found(value)}`;
}

function keepalive(value: string): string | undefined {
  const ms = parseGoDuration(value);
  if (ms !== undefined && ms % 1000 === 0 && ms / 1000 <= MAX_KEEPALIVE_SECONDS) return undefined;
  return `must be whole seconds between 0 and ${MAX_KEEPALIVE_SECONDS}, as a number or a Go duration such as "25s", ${found(value)}`;
}

export const FORMATS: Readonly<Record<string, FormatCheck>> = {
  "absolute-path": absolutePath,
  "cluster-secret": clusterSecretProblem,
  "discovery-url": discoveryURLProblem,
  endpoint,
  "filter-rule": filterRule,
  "hex-number": hexNumber,
  "interface-name": interfaceName,
  "interface-pattern": interfacePattern,
  keepalive,
  "listen-address": listenAddress,
  "node-name": nodeName,
  prefix,
};
