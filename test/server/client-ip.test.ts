// Client IP extraction (protocol §7.7).
import t from "tap";
import { type ClientIPTrust, clientIP, NO_HEADER_TRUST, parsePeer } from "../../src/server/client-ip.js";

const headers = (values: Record<string, string>) => (key: string) => (key in values ? [values[key]!] : []);
const hex = (ip: ReturnType<typeof parsePeer>) => ip?.toBytes().toString("hex");
const ALL: ClientIPTrust = { xRealIP: true, firstXForwardedFor: true };

t.test("peers as grpc-js prints them", async (t) => {
  t.equal(hex(parsePeer("127.0.0.1:5000")), "7f000001");
  t.equal(hex(parsePeer("::ffff:127.0.0.1:5000")), "7f000001", "IPv4-mapped peers are unmapped to 4 bytes");
  t.equal(hex(parsePeer("::1:5000")), "00000000000000000000000000000001");
  t.equal(hex(parsePeer("[2001:db8::1]:443")), "20010db8000000000000000000000001");
  t.equal(hex(parsePeer("2001:db8::5000:443")), "20010db8000000000000000000005000");
  t.equal(hex(parsePeer("10.1.2.3")), "0a010203", "a bare address");
  t.equal(parsePeer("unknown"), undefined);
  t.equal(parsePeer(""), undefined);
});

t.test("headers are ignored unless trusted", async (t) => {
  const h = headers({ "x-real-ip": "1.2.3.4", "x-forwarded-for": "5.6.7.8" });
  t.equal(hex(clientIP(h, "127.0.0.1:1", NO_HEADER_TRUST)), "7f000001");
  t.equal(hex(clientIP(h, "127.0.0.1:1", ALL)), "01020304", "X-Real-IP comes first");
  t.equal(hex(clientIP(h, "127.0.0.1:1", { xRealIP: false, firstXForwardedFor: true })), "05060708");
});

t.test("the first X-Forwarded-For element, trimmed; invalid values fall through", async (t) => {
  t.equal(
    hex(clientIP(headers({ "x-forwarded-for": " 5.6.7.8 ,192.168.0.0.1" }), "127.0.0.1:1", ALL)),
    "05060708",
  );
  t.equal(hex(clientIP(headers({ "x-forwarded-for": "bogus, 5.6.7.8" }), "127.0.0.1:1", ALL)), "7f000001");
  t.equal(hex(clientIP(headers({ "x-real-ip": "::ffff:1.2.3.4" }), "127.0.0.1:1", ALL)), "01020304");
  t.equal(
    hex(clientIP(headers({ "x-real-ip": "fe80::1%eth0" }), "127.0.0.1:1", ALL)),
    "7f000001",
    "zones are refused",
  );
  t.equal(clientIP(headers({}), "unknown", ALL), undefined, "no address at all");
});
