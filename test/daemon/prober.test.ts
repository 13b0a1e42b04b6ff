import pino from "pino";
import t from "tap";
import { Prober } from "../../src/daemon/prober.js";
import { deriveProbeKey } from "../../src/mesh/probe-packet.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const logger = pino({ level: "silent" });
const randomPort = () => 40000 + Math.floor(Math.random() * 20000);

async function pair(
  t: { teardown: (fn: () => void) => void },
  responderSecret: number,
  senderSecret: number,
) {
  const port = randomPort();
  const responder = new Prober(deriveProbeKey(Buffer.alloc(32, responderSecret)), port, logger);
  await responder.start();
  const sender = new Prober(deriveProbeKey(Buffer.alloc(32, senderSecret)), port + 1, logger, port);
  await sender.start();
  t.teardown(() => {
    responder.close();
    sender.close();
  });
  return sender;
}

t.test("a probe to a live prober is answered; one to a silent address is not", async (t) => {
  const sender = await pair(t, 3, 3);
  sender.probe("::1", Date.now());
  sender.probe("::2", Date.now()); // nobody answers there
  for (let i = 0; i < 100 && !sender.result("::1")?.everAnswered; i++) await sleep(10);
  const live = sender.result("::1");
  t.ok(live?.everAnswered, "the responder answered");
  t.equal(live?.unanswered, 0);
  const silent = sender.result("::2");
  t.equal(silent?.everAnswered, false);
  t.equal(silent?.unanswered, 1);
});

t.test("a prober with another cluster's key does not answer", async (t) => {
  const sender = await pair(t, 4, 5);
  sender.probe("::1", Date.now());
  await sleep(200);
  t.equal(sender.result("::1")?.everAnswered, false);
  t.equal(sender.result("::1")?.unanswered, 1);
});

t.test("forget drops records of peers that are gone", async (t) => {
  const sender = await pair(t, 6, 6);
  sender.probe("::2", Date.now());
  sender.probe("::3", Date.now());
  sender.forget(new Set(["::3"]));
  t.equal(sender.result("::2"), undefined);
  t.ok(sender.result("::3"));
});
