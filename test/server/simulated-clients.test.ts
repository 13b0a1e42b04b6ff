// Clusters of 5, 15 and 50 simulated clients exchanging endpoints through the
// server with raw generated stubs, as the protocol's cluster simulator does
// (§8 item 22, server side). Each client reports its own endpoint and one for
// its neighbour; everybody must end up with everybody else's two endpoints.
import t, { type Test } from "tap";
import { Endpoint } from "../../src/gen/sidero/discovery/client/affiliate.js";
import type { Affiliate, WatchResponse } from "../../src/gen/sidero/discovery/server/cluster.js";
import { connect, eventually, startTestServer, unary, WatchReader } from "./helpers.js";

const TTL = { seconds: 10, nanos: 0 };

const endpointBlob = (ipBytes: number, port: number) =>
  Buffer.from(Endpoint.encode({ ip: Buffer.alloc(ipBytes), port }).finish());

/** What a client keeps: other affiliates with data, keyed by ID, as the protocol's client rules say. */
class View {
  readonly others = new Map<string, Affiliate>();

  constructor(private readonly self: string) {}

  apply(message: WatchResponse, first: boolean): void {
    if (first) this.others.clear();
    for (const affiliate of message.affiliates) {
      if (affiliate.id === this.self) continue;
      if (message.deleted) this.others.delete(affiliate.id);
      else if (affiliate.data.length > 0) this.others.set(affiliate.id, affiliate);
    }
  }
}

async function simulate(t: Test, n: number): Promise<void> {
  const server = await startTestServer(t, { trustXRealIP: true });
  const clusterId = `sim-${n}`;
  const clients = Array.from({ length: n }, (_, i) => {
    const id = `node${i}`;
    const headers = { "x-real-ip": `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` };
    const client = connect(t, server);
    const view = new View(id);
    const watch = WatchReader.open(client, clusterId, headers);
    t.teardown(() => watch.cancel());
    let first = true;
    watch.stream.on("data", (m: WatchResponse) => {
      view.apply(m, first);
      first = false;
    });
    return { i, id, headers, client, view };
  });
  await Promise.all(
    clients.map(async ({ i, id, headers, client }) => {
      const hello = await unary(client, "hello", { clusterId, clientVersion: "v1.12.4" }, { headers });
      t.equal(
        hello.clientIp.toString("hex"),
        Buffer.from([10, 0, Math.floor(i / 250), (i % 250) + 1]).toString("hex"),
      );
      await unary(
        client,
        "affiliateUpdate",
        {
          clusterId,
          affiliateId: id,
          affiliateData: Buffer.from(`affiliate ${i}`),
          affiliateEndpoints: [endpointBlob(4, (i + 1) * 10)],
          ttl: TTL,
        },
        { headers },
      );
      const next = (i + 1) % n;
      await unary(
        client,
        "affiliateUpdate",
        {
          clusterId,
          affiliateId: `node${next}`,
          affiliateData: undefined,
          affiliateEndpoints: [endpointBlob(16, (next + 1) * 100)],
          ttl: TTL,
        },
        { headers },
      );
    }),
  );
  const complete = ({ view }: (typeof clients)[number]) =>
    view.others.size === n - 1 && [...view.others.values()].every((a) => a.endpoints.length === 2);
  await eventually(() => clients.every(complete), `all ${n} clients to see each other`, 10_000);
  for (const { id, view } of clients) {
    for (const [otherId, affiliate] of view.others) {
      const k = Number(otherId.slice(4));
      const ports = affiliate.endpoints.map((e) => Endpoint.decode(e).port).sort((x, y) => x - y);
      if (ports[0] !== (k + 1) * 10 || ports[1] !== (k + 1) * 100) {
        t.fail(`${id} sees ${otherId} with ports ${ports.join(",")}`);
        return;
      }
    }
  }
  t.pass(`each of ${n} clients holds ${n - 1} affiliates with both of their endpoints`);
}

for (const n of [5, 15, 50]) {
  t.test(`${n} clients exchange endpoints`, (t) => simulate(t, n));
}
