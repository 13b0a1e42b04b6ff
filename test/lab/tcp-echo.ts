// A 1 MiB TCP echo between two namespaces: proof that a real stream, not
// just ICMP, crosses the mesh (MTU, MSS and marks all have to be right).
import type { CommandResult, Lab, Netns } from "./netns.js";

const TCP_ECHO = `
const net = require("net");
const [mode, host, port] = process.argv.slice(1);
if (mode === "serve") {
  net.createServer((s) => s.pipe(s)).listen(Number(port), host, () => console.log("listening"));
} else {
  const total = 1 << 20;
  let got = 0;
  const s = net.connect(Number(port), host, () => s.end(Buffer.alloc(total, 7)));
  s.on("data", (d) => (got += d.length));
  s.on("close", () => { console.log(got); process.exit(got === total ? 0 : 1); });
  setTimeout(() => process.exit(2), 20000);
}`;

/** Serves an echo on `address` in `server` and sends 1 MiB through it from `client`; code 0 = all echoed. */
export async function tcpExchange(
  lab: Lab,
  server: Netns,
  client: Netns,
  address: string,
  port = 7777,
): Promise<CommandResult> {
  const echo = lab.spawn(server, ["node", "-e", TCP_ECHO, "serve", address, String(port)]);
  await new Promise((r) => echo.stdout?.once("data", r));
  try {
    return await client.exec(["node", "-e", TCP_ECHO, "send", address, String(port)], { timeoutMs: 30_000 });
  } finally {
    echo.kill();
  }
}
