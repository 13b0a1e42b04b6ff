import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import t from "tap";
import { type Affiliate, emptyAffiliate, type MachineType } from "../../src/cluster/affiliate.js";
import {
  CodecError,
  decodeAffiliate,
  decodeEndpoint,
  encodeAffiliate,
  encodeEndpoint,
} from "../../src/discovery/codec.js";
import * as wire from "../../src/gen/sidero/discovery/client/affiliate.js";
import { Endpoint, IP, Prefix } from "../../src/net/ip.js";

const vectors = JSON.parse(readFileSync(new URL("../fixtures/vectors.json", import.meta.url), "utf8"));
const hex = (s: string) => Buffer.from(s, "hex");

interface VectorAffiliate {
  node_id: string;
  addresses?: string[];
  hostname?: string;
  nodename?: string;
  machine_type?: MachineType;
  operating_system?: string;
  kubespan?: {
    public_key: string;
    address: string;
    additional_addresses: Array<{ ip: string; bits: number }>;
  };
  control_plane?: { api_server_port: number };
}

/** The domain form of a gcm_affiliate vector's `affiliate` object. */
function fromVector(v: VectorAffiliate): Affiliate {
  const a = emptyAffiliate(v.node_id);
  a.addresses = (v.addresses ?? []).map((s) => IP.parse(s));
  a.hostname = v.hostname ?? "";
  a.nodename = v.nodename ?? "";
  a.machineType = v.machine_type ?? "unknown";
  a.operatingSystem = v.operating_system ?? "";
  if (v.kubespan) {
    a.kubespan = {
      publicKey: v.kubespan.public_key,
      address: IP.parse(v.kubespan.address),
      additionalAddresses: v.kubespan.additional_addresses.map((p) => Prefix.of(IP.parse(p.ip), p.bits)),
      excludedNetworks: [],
      endpoints: [],
    };
  }
  if (v.control_plane) a.controlPlane = { apiServerPort: v.control_plane.api_server_port };
  return a;
}

/** Raw wire bytes, including values the domain types cannot express. */
function wireAffiliate(fields: Partial<wire.Affiliate>): Buffer {
  const base: wire.Affiliate = {
    nodeId: "n1",
    addresses: [],
    hostname: "",
    nodename: "",
    machineType: "",
    operatingSystem: "",
    kubespan: undefined,
    controlPlane: undefined,
  };
  return Buffer.from(wire.Affiliate.encode({ ...base, ...fields }).finish());
}

const decodeOk = (bytes: Uint8Array): Affiliate => {
  const r = decodeAffiliate(bytes);
  if (!r.ok) throw new Error(`unexpected decode failure: ${r.error.message}`);
  return r.value;
};

t.test("affiliate plaintext vectors: encode byte-exact, decode back", async (t) => {
  const [minimal, full] = vectors.gcm_affiliate.cases;
  const domain = fromVector(full.affiliate);
  t.equal(encodeAffiliate(domain).toString("hex"), full.plaintext_hex);
  t.equal(encodeAffiliate(domain).length, full.plaintext_length);
  t.same(decodeOk(hex(full.plaintext_hex)), domain);
  // The minimal vector leaves machine_type unset, which receivers read as worker.
  t.same(decodeOk(hex(minimal.plaintext_hex)), { ...emptyAffiliate("a"), machineType: "worker" });
  t.equal(wireAffiliate({ nodeId: "a" }).toString("hex"), minimal.plaintext_hex);
});

t.test("machine type unknown is published as the string Talos uses", async (t) => {
  const bytes = encodeAffiliate(emptyAffiliate("a"));
  t.equal(wire.Affiliate.decode(bytes).machineType, "unknown");
  t.equal(decodeOk(bytes).machineType, "unknown");
});

t.test("endpoint vectors: the exact Go client encoding", async (t) => {
  for (const c of vectors.ecb_endpoints.cases) {
    const endpoint = Endpoint.of(IP.parse(c.ip), c.port);
    const bytes = encodeEndpoint(endpoint);
    t.equal(bytes.toString("hex"), c.protobuf_hex, c.name);
    t.equal(bytes.subarray(2, 2 + bytes[1]!).toString("hex"), c.ip_bytes_hex);
    const r = decodeEndpoint(bytes);
    t.ok(r.ok && r.value.equals(endpoint), `${c.name} decodes back`);
  }
});

t.test("IPv4-mapped IPv6 is sent as 4-byte IPv4", async (t) => {
  const mapped = IP.parse("::ffff:10.0.0.2");
  t.equal(mapped.family, 6);
  t.equal(
    encodeEndpoint(Endpoint.of(mapped, 51820)).toString("hex"),
    vectors.ecb_endpoints.cases[0].protobuf_hex,
  );
  const a = emptyAffiliate("n");
  a.addresses = [mapped];
  t.same(decodeOk(encodeAffiliate(a)).addresses, [IP.parse("10.0.0.2")]);
});

t.test("exclusions are never emitted", async (t) => {
  const a = fromVector(vectors.gcm_affiliate.cases[1].affiliate);
  const withExclusions: Affiliate = {
    ...a,
    kubespan: { ...a.kubespan!, excludedNetworks: [Prefix.parse("192.168.0.0/16")] },
  };
  t.equal(encodeAffiliate(withExclusions).toString("hex"), vectors.gcm_affiliate.cases[1].plaintext_hex);
});

t.test("a KubeSpan section without an address is refused", async (t) => {
  const a = fromVector(vectors.gcm_affiliate.cases[1].affiliate);
  a.kubespan!.address = undefined;
  const error = t.throws(() => encodeAffiliate(a)) as CodecError;
  t.type(error, CodecError);
  t.equal(error.kind, "unencodable");
});

t.test("address lengths: 4 and 16 decode, 0 is an invalid marker, others are dropped", async (t) => {
  const a = decodeOk(
    wireAffiliate({
      addresses: [
        hex("0a000001"),
        Buffer.alloc(0),
        hex("0102030405"),
        hex("fd00000000000000000000000000000102"),
      ],
    }),
  );
  t.same(a.addresses.map(String), ["10.0.0.1"]);
  t.same(a.invalid, ["addresses[1] is empty (the zero address)"]);
  const v6 = decodeOk(wireAffiliate({ addresses: [IP.parse("fd00::1").toBytes(), hex("00000000")] }));
  t.same(v6.addresses.map(String), ["fd00::1", "0.0.0.0"]);
  t.same(v6.invalid, [], "0.0.0.0 (4 zero bytes) is a valid address");
});

t.test("KubeSpan address and prefixes: invalid markers like Talos", async (t) => {
  const ks = (fields: Partial<wire.KubeSpan>): wire.KubeSpan => ({
    publicKey: "k",
    address: IP.parse("fd00::1").toBytes(),
    additionalAddresses: [],
    ...fields,
  });
  const cases: Array<[string, wire.KubeSpan, string[]]> = [
    ["valid", ks({}), []],
    ["empty address", ks({ address: Buffer.alloc(0) }), ["kubespan.address is empty"]],
    ["5-byte address", ks({ address: Buffer.alloc(5) }), ["kubespan.address is 5 bytes, expected 4 or 16"]],
    ["zoned address", ks({ address: Buffer.alloc(20) }), ["kubespan.address is 20 bytes, expected 4 or 16"]],
    [
      "/33 IPv4 prefix",
      ks({ additionalAddresses: [{ ip: hex("0a000000"), bits: 33 }] }),
      ["kubespan.additional_addresses[0] has /33, wider than IPv4 allows"],
    ],
    [
      "/129 IPv6 prefix",
      ks({ additionalAddresses: [{ ip: Buffer.alloc(16), bits: 129 }] }),
      ["kubespan.additional_addresses[0] has /129, wider than IPv6 allows"],
    ],
    [
      "empty prefix IP",
      ks({ additionalAddresses: [{ ip: Buffer.alloc(0), bits: 8 }] }),
      ["kubespan.additional_addresses[0] has an empty IP"],
    ],
  ];
  for (const [name, kubespan, invalid] of cases) {
    const a = decodeOk(wireAffiliate({ kubespan }));
    t.same(a.invalid, invalid, name);
  }
  const prefixes = decodeOk(
    wireAffiliate({
      kubespan: ks({
        additionalAddresses: [
          { ip: hex("0af40300"), bits: 24 },
          { ip: Buffer.alloc(7), bits: 8 },
          { ip: IP.parse("fd01::").toBytes(), bits: 128 },
          { ip: hex("0a000000"), bits: 0 },
        ],
      }),
    }),
  );
  t.same(prefixes.kubespan?.additionalAddresses.map(String), ["10.244.3.0/24", "fd01::/128", "10.0.0.0/0"]);
  t.same(prefixes.invalid, [], "an undecodable prefix IP length is dropped silently");
  t.same(prefixes.kubespan?.endpoints, []);
  t.same(prefixes.kubespan?.excludedNetworks, []);
});

t.test("machine types map like Talos receivers", async (t) => {
  const table: Array<[string, string]> = [
    ["", "worker"],
    ["worker", "worker"],
    ["join", "worker"],
    ["controlplane", "controlplane"],
    ["init", "init"],
    ["Controlplane", "unknown"],
    ["something", "unknown"],
  ];
  for (const [text, expected] of table) {
    t.equal(decodeOk(wireAffiliate({ machineType: text })).machineType, expected, JSON.stringify(text));
  }
});

t.test("unknown fields are ignored and field order is free", async (t) => {
  const full = hex(vectors.gcm_affiliate.cases[1].plaintext_hex);
  const expected = decodeOk(full);
  // Field 99 at the top, and KubeSpan field 4 (the unverified exclusions number).
  const message = wire.Affiliate.decode(full);
  const kubespan = Buffer.concat([
    wire.KubeSpan.encode(message.kubespan!).finish(),
    hex("22070a04c0a8000010"),
  ]);
  const withUnknown = new BinaryWriter();
  withUnknown.raw(wire.Affiliate.encode({ ...message, kubespan: undefined }).finish());
  withUnknown.uint32((99 << 3) | 0).uint32(5);
  withUnknown.uint32(58).bytes(kubespan);
  t.same(decodeOk(withUnknown.finish()), expected);
  // Same message with the fields in reverse order.
  const reversed = new BinaryWriter();
  reversed.uint32(66).bytes(wire.ControlPlane.encode({ apiServerPort: 6443 }).finish());
  reversed.uint32(58).bytes(wire.KubeSpan.encode(message.kubespan!).finish());
  reversed.uint32(50).string("Talos (v1.12.4)");
  reversed.uint32(42).string("controlplane");
  reversed.uint32(34).string("node1");
  reversed.uint32(26).string("host1");
  reversed.uint32(18).bytes(hex("c0a80304"));
  reversed.uint32(10).string("node-1");
  t.same(decodeOk(reversed.finish()), expected);
  const bare = decodeOk(wireAffiliate({}));
  t.equal(bare.kubespan, undefined);
  t.equal(bare.controlPlane, undefined);
});

t.test("garbage protobuf is a typed error", async (t) => {
  const cases: Array<[string, Buffer]> = [
    ["truncated varint", hex("0a")],
    ["length past the end", hex("0a05616263")],
    ["wire type 7", hex("0f")],
    ["zero tag", hex("0a016100")],
    ["stray end-group", hex("0a01610c")],
    ["invalid UTF-8 in a string", hex("1a02c328")],
    ["overlong varint", hex("08ffffffffffffffffffff01")],
    ["submessage past the end", hex("3a0a0a0161")],
    ["zero tag inside KubeSpan", hex("3a0300000a")],
    ["end-group inside a prefix", hex("3a041a020c00")],
    ["prefix field past its submessage", hex("3a031a050a")],
  ];
  for (const [name, bytes] of cases) {
    const r = decodeAffiliate(bytes);
    t.equal(r.ok, false, name);
    if (!r.ok) {
      t.type(r.error, CodecError);
      t.equal(r.error.kind, "malformed-protobuf", name);
      t.match(r.error.message, /^affiliate: /);
    }
  }
});

t.test("random bytes never make the decoders throw", async (t) => {
  let decoded = 0;
  const untyped: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const bytes = randomBytes(i % 64);
    const a = decodeAffiliate(bytes);
    const e = decodeEndpoint(bytes);
    if (a.ok) decoded++;
    for (const r of [a, e])
      if (!r.ok && !(r.error instanceof CodecError)) untyped.push(bytes.toString("hex"));
  }
  t.same(untyped, [], "every failure is a CodecError");
  t.ok(decoded > 0, "the empty message at least decodes");
});

t.test("endpoints with a bad IP or port are refused individually", async (t) => {
  const enc = (ip: Buffer, port: number) => Buffer.from(wire.Endpoint.encode({ ip, port }).finish());
  const v4 = hex("01020304");
  const cases: Array<[string, Buffer, string]> = [
    ["no IP", enc(Buffer.alloc(0), 1), "endpoint IP is 0 bytes, expected 4 or 16"],
    ["5-byte IP", enc(Buffer.alloc(5), 1), "endpoint IP is 5 bytes, expected 4 or 16"],
    ["zoned IPv6", enc(Buffer.alloc(18), 1), "endpoint IP is 18 bytes, expected 4 or 16"],
    ["port 0", enc(v4, 0), "endpoint port 0 is outside 1–65535"],
    ["port 65536", enc(v4, 65536), "endpoint port 65536 is outside 1–65535"],
    ["port 2^32-1", enc(v4, 0xffffffff), "endpoint port 4294967295 is outside 1–65535"],
  ];
  for (const [name, bytes, message] of cases) {
    const r = decodeEndpoint(bytes);
    t.equal(r.ok, false, name);
    if (!r.ok) {
      t.equal(r.error.kind, "invalid-endpoint", name);
      t.equal(r.error.message, message);
    }
  }
  const edge = decodeEndpoint(enc(v4, 65535));
  t.ok(edge.ok && edge.value.port === 65535);
  const garbage = decodeEndpoint(hex("0a09"));
  t.ok(!garbage.ok && garbage.error.kind === "malformed-protobuf");
});
