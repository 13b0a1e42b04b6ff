import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import t from "tap";
import { describeCallError, describeUnreachable } from "../../src/cli/daemon.js";

const path = "/run/kubespan/kubespand.sock";

t.test("every way the socket can be unreachable names the path and what to do", async (t) => {
  t.equal(
    describeUnreachable({ state: "missing" }, path),
    "kubespand is not running: no socket at /run/kubespan/kubespand.sock",
  );
  t.equal(
    describeUnreachable({ state: "denied" }, path),
    "permission denied on /run/kubespan/kubespand.sock: run as root or join the group that owns it",
  );
  t.equal(
    describeUnreachable({ state: "stale" }, path),
    "kubespand is not running: nothing listens on /run/kubespan/kubespand.sock (left over from a stopped daemon)",
  );
  t.equal(
    describeUnreachable({ state: "not-socket" }, path),
    "/run/kubespan/kubespand.sock is not a socket: is --socket pointing at the right file?",
  );
  t.equal(
    describeUnreachable({ state: "timeout" }, path),
    "kubespand did not accept a connection on /run/kubespan/kubespand.sock within 3s",
  );
  t.equal(
    describeUnreachable({ state: "error", message: "ELOOP" }, path),
    "cannot connect to kubespand at /run/kubespan/kubespand.sock: ELOOP",
  );
});

function serviceError(code: status, details: string): ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new Metadata() });
}

t.test("call errors: transport problems and daemon messages", async (t) => {
  t.equal(
    describeCallError(serviceError(status.DEADLINE_EXCEEDED, "Deadline exceeded"), path),
    "kubespand at /run/kubespan/kubespand.sock did not answer in time",
  );
  t.equal(
    describeCallError(serviceError(status.UNAVAILABLE, "identity is not loaded yet"), path),
    "kubespand is unavailable: identity is not loaded yet",
  );
  t.match(describeCallError(serviceError(status.UNIMPLEMENTED, ""), path), /does not support this request/);
  t.equal(
    describeCallError(serviceError(status.FAILED_PRECONDITION, "already left"), path),
    "kubespand: already left",
  );
});
