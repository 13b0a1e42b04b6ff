import t from "tap";
import { DaemonMetrics } from "../../src/daemon/metrics.js";

t.test("process metrics are collected only once asked for (with a metrics listener)", async (t) => {
  const metrics = new DaemonMetrics();
  const before = await metrics.registry.metrics();
  t.match(before, /kubespan_/, "the daemon's own metrics are always there");
  t.notMatch(before, /process_cpu_seconds_total|nodejs_eventloop_lag/, "no process collectors by default");
  metrics.collectProcessMetrics();
  metrics.collectProcessMetrics();
  const after = await metrics.registry.metrics();
  t.match(after, /process_cpu_seconds_total/);
  t.match(after, /nodejs_eventloop_lag_seconds/);
  t.equal(after.match(/^# TYPE process_cpu_seconds_total /gm)?.length, 1, "asking twice registers once");
  metrics.registry.clear();
});
