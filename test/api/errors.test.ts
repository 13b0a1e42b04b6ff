import { status } from "@grpc/grpc-js";
import t from "tap";
import { ApiError, toGrpcFailure } from "../../src/api/errors.js";

t.test("ApiError codes map to their gRPC status and keep the message", async (t) => {
  const cases: [ConstructorParameters<typeof ApiError>[0], status][] = [
    ["unavailable", status.UNAVAILABLE],
    ["failed-precondition", status.FAILED_PRECONDITION],
    ["not-found", status.NOT_FOUND],
    ["invalid-argument", status.INVALID_ARGUMENT],
  ];
  for (const [code, grpc] of cases) {
    t.same(toGrpcFailure(new ApiError(code, `because ${code}`)), {
      code: grpc,
      details: `because ${code}`,
      expected: true,
    });
  }
});

t.test("anything else is an internal error, flagged for logging", async (t) => {
  t.same(toGrpcFailure(new TypeError("x is undefined")), {
    code: status.INTERNAL,
    details: "internal error in kubespand: x is undefined",
    expected: false,
  });
  t.same(toGrpcFailure("a string"), {
    code: status.INTERNAL,
    details: "internal error in kubespand: a string",
    expected: false,
  });
});
