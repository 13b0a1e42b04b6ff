// Listen addresses in the upstream flag form.
import t from "tap";
import { grpcBindTargets, localTarget, parseListenAddress } from "../../src/server/listen-address.js";

t.test("forms that parse", async (t) => {
  t.same(parseListenAddress(":3000", "x"), { host: undefined, port: 3000 });
  t.same(parseListenAddress("127.0.0.1:0", "x"), { host: "127.0.0.1", port: 0 });
  t.same(parseListenAddress("[::1]:2122", "x"), { host: "::1", port: 2122 });
  t.same(parseListenAddress("localhost:80", "x"), { host: "localhost", port: 80 });
});

t.test("forms that do not, named after the flag", async (t) => {
  for (const bad of ["3000", "::1:3000", "host:", "host:65536", "[::1]", ":port", ""]) {
    t.throws(
      () => parseListenAddress(bad, "--addr"),
      { name: "ListenAddressError", message: /^--addr: expected/ },
      bad,
    );
  }
});

t.test("bind targets and local dial targets", async (t) => {
  t.same(grpcBindTargets({ host: undefined, port: 3000 }), ["[::]:3000", "0.0.0.0:3000"]);
  t.same(grpcBindTargets({ host: "::1", port: 0 }), ["[::1]:0"]);
  t.same(grpcBindTargets({ host: "10.0.0.1", port: 1 }), ["10.0.0.1:1"]);
  t.equal(localTarget({ host: undefined, port: 0 }, 4000), "localhost:4000");
  t.equal(localTarget({ host: "::1", port: 0 }, 4000), "[::1]:4000");
});
