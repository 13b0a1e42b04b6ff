// Command-line flags (protocol §7.12).
import t from "tap";
import { DEFAULT_SNAPSHOT_PATH, flagsToOptions, serverCommand } from "../../src/server/flags.js";

function parse(argv: string[]) {
  const command = serverCommand()
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  command.parse(argv, { from: "user" });
  return flagsToOptions(command.opts());
}

t.test("defaults follow upstream, except that proxy headers are not trusted", async (t) => {
  t.same(parse([]), {
    debug: false,
    options: {
      addr: ":3000",
      landingAddr: ":3001",
      metricsAddr: ":2122",
      tls: undefined,
      gcIntervalMs: 60_000,
      redirectEndpoint: undefined,
      snapshot: { path: DEFAULT_SNAPSHOT_PATH, intervalMs: 600_000 },
      trustXRealIP: false,
      trustFirstXForwardedFor: false,
      reportClientIP: true,
      inspectPage: false,
    },
  });
});

t.test("every flag, in Go syntax", async (t) => {
  const { debug, options } = parse([
    "--addr=127.0.0.1:4000",
    "--landing-addr=",
    "--metrics-addr",
    "[::1]:9000",
    "--certificate-path=/tls/cert.pem",
    "--key-path=/tls/key.pem",
    "--debug",
    "--gc-interval=30s",
    "--redirect-endpoint=new.example.com:443",
    "--snapshots-enabled=true",
    "--snapshot-interval=1h",
    "--snapshot-path=/tmp/state.binpb",
    "--trust-x-real-ip=true",
    "--trust-first-x-forwarded-for",
    "--disable-client-ip-reporting",
    "--enable-inspect-page=1",
  ]);
  t.equal(debug, true);
  t.same(options, {
    addr: "127.0.0.1:4000",
    landingAddr: "",
    metricsAddr: "[::1]:9000",
    tls: { certificatePath: "/tls/cert.pem", keyPath: "/tls/key.pem" },
    gcIntervalMs: 30_000,
    redirectEndpoint: "new.example.com:443",
    snapshot: { path: "/tmp/state.binpb", intervalMs: 3_600_000 },
    trustXRealIP: true,
    trustFirstXForwardedFor: true,
    reportClientIP: false,
    inspectPage: true,
  });
});

t.test("snapshots can be switched off the Go way", async (t) => {
  t.equal(parse(["--snapshots-enabled=false"]).options.snapshot, undefined);
});

t.test("bad values are refused with the flag's name", async (t) => {
  const cases: [string[], RegExp][] = [
    [["--gc-interval=soon"], /--gc-interval: invalid duration "soon"/],
    [["--snapshot-interval=0s"], /--snapshot-interval: must be positive/],
    [["--certificate-path=/c.pem"], /--certificate-path and --key-path must be given together/],
    [["--addr=3000"], /--addr: expected "host:port"/],
    [["--addr="], /--addr must not be empty/],
    [["--metrics-addr=:99999"], /--metrics-addr: expected/],
    [["--debug=maybe"], /expected true or false, got "maybe"/],
  ];
  for (const [argv, message] of cases) t.throws(() => parse(argv), { message }, argv.join(" "));
});

t.test("--help documents every flag", async (t) => {
  const help = serverCommand().helpInformation();
  for (const flag of [
    "--addr",
    "--landing-addr",
    "--metrics-addr",
    "--certificate-path",
    "--key-path",
    "--debug",
    "--gc-interval",
    "--redirect-endpoint",
    "--snapshots-enabled",
    "--snapshot-interval",
    "--snapshot-path",
    "--trust-x-real-ip",
    "--trust-first-x-forwarded-for",
    "--disable-client-ip-reporting",
    "--enable-inspect-page",
  ]) {
    t.match(help, new RegExp(`${flag}\\b`), flag);
  }
});
