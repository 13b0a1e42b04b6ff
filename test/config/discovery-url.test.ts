import t from "tap";
import { DiscoveryURLError, normalizeDiscoveryEndpoint } from "../../src/config/index.js";

const GOOD: [url: string, target: string, tls: boolean][] = [
  ["https://discovery.talos.dev/", "discovery.talos.dev:443", true],
  ["https://discovery.talos.dev", "discovery.talos.dev:443", true],
  ["grpc://discovery.example.com", "discovery.example.com:443", true],
  ["grpc://Discovery.Example.COM:8443/", "discovery.example.com:8443", true],
  ["http://10.0.0.1", "10.0.0.1:80", false],
  ["http://10.0.0.1:3000/", "10.0.0.1:3000", false],
  ["https://[2001:db8::1]/", "[2001:db8::1]:443", true],
  ["grpc://[::1]:3000", "[::1]:3000", true],
  ["http://[fd00::5]:80", "[fd00::5]:80", false],
];

for (const [url, target, tls] of GOOD) {
  t.test(url, async (t) => {
    t.same(normalizeDiscoveryEndpoint(url), { target, tls });
  });
}

const BAD: [url: string, message: string][] = [
  ["discovery.talos.dev:443", 'must use scheme http, https or grpc, found "discovery.talos.dev:443"'],
  ["ftp://h/", 'must use scheme http, https or grpc, found "ftp://h/"'],
  ["not a url", 'must be a URL such as https://discovery.talos.dev/, found "not a url"'],
  ["grpc://", 'must name a host, found "grpc://"'],
  ["grpc://a%20b", 'must name a host, found "grpc://a%20b"'],
  ["https://h/v1/", 'must have an empty path or "/", found "https://h/v1/"'],
  ["https://user@h/", 'must not carry user info, a query or a fragment, found "https://user@h/"'],
  ["https://h/?x=1", 'must not carry user info, a query or a fragment, found "https://h/?x=1"'],
];

for (const [url, message] of BAD) {
  t.test(`rejects ${url}`, async (t) => {
    t.throws(() => normalizeDiscoveryEndpoint(url), new DiscoveryURLError(`discovery endpoint ${message}`));
  });
}
