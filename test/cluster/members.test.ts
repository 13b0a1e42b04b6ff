import t from "tap";
import { controlPlaneEndpoints, members } from "../../src/cluster/members.js";
import { makeAffiliate } from "./make-affiliate.js";

const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

t.test("members: affiliates with a node name, the local one included, keyed by node name", async (t) => {
  const affiliates = [
    makeAffiliate("node-3", { nodename: "worker-1", addresses: ["10.0.0.3"], machineType: "worker" }),
    makeAffiliate("local", {
      nodename: "cp-1",
      hostname: "cp-1.example",
      addresses: ["10.0.0.1", "fd00::1"],
      machineType: "controlplane",
      operatingSystem: "Debian GNU/Linux 12 (bookworm) (kubespand v0.1.0)",
      apiServerPort: 6443,
    }),
    makeAffiliate("node-4", { addresses: ["10.0.0.4"] }),
  ];
  t.same(plain(members(affiliates)), [
    {
      id: "cp-1",
      nodeId: "local",
      addresses: ["10.0.0.1", "fd00::1"],
      hostname: "cp-1.example",
      machineType: "controlplane",
      operatingSystem: "Debian GNU/Linux 12 (bookworm) (kubespand v0.1.0)",
      controlPlane: { apiServerPort: 6443 },
    },
    {
      id: "worker-1",
      nodeId: "node-3",
      addresses: ["10.0.0.3"],
      hostname: "",
      machineType: "worker",
      operatingSystem: "",
    },
  ]);
});

t.test("a shared node name goes to the larger node ID, as in Talos", async (t) => {
  const list = members([
    makeAffiliate("b", { nodename: "same", addresses: ["10.0.0.2"] }),
    makeAffiliate("a", { nodename: "same", addresses: ["10.0.0.1"] }),
  ]);
  t.same(
    list.map((m) => [m.id, m.nodeId]),
    [["same", "b"]],
  );
});

t.test("control-plane endpoints: controlplane and init members, sorted, once each", async (t) => {
  const list = members([
    makeAffiliate("n1", {
      nodename: "cp-b",
      machineType: "controlplane",
      addresses: ["fd00::2", "10.0.0.9"],
    }),
    makeAffiliate("n2", { nodename: "cp-a", machineType: "init", addresses: ["10.0.0.2", "10.0.0.9"] }),
    makeAffiliate("n3", { nodename: "w", machineType: "worker", addresses: ["10.0.0.1"] }),
    makeAffiliate("n4", { nodename: "u", machineType: "unknown", addresses: ["10.0.0.0"] }),
  ]);
  t.same(controlPlaneEndpoints(list).map(String), ["10.0.0.2", "10.0.0.9", "fd00::2"]);
  t.same(controlPlaneEndpoints([]), []);
});
