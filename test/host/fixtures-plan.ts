// A HostPlan with fixed keys and addresses, shared by the pure host tests.
import {
  buildHostPlan,
  DEFAULT_HOST_SETTINGS,
  type HostPlan,
  type HostSettings,
} from "../../src/host/plan.js";
import { Endpoint, IP, Prefix } from "../../src/net/ip.js";

export const key = (n: number) => Buffer.alloc(32, n).toString("base64");

export function samplePlan(settings: Partial<HostSettings> = {}): HostPlan {
  return buildHostPlan(
    { ...DEFAULT_HOST_SETTINGS, ...settings },
    {
      privateKey: key(1),
      presharedKey: key(2),
      address: IP.parse("fd7f:175a:b97c:5602:1234:56ff:fe78:9abc"),
      peers: [
        {
          publicKey: key(10),
          endpoint: Endpoint.parse("192.0.2.10:51820"),
          allowedIPs: [Prefix.parse("10.244.1.0/24"), Prefix.parse("fd7f:175a:b97c:5602::10/128")],
        },
        { publicKey: key(11), endpoint: undefined, allowedIPs: [Prefix.parse("10.244.2.0/24")] },
      ],
      routed: [Prefix.parse("10.244.1.0/24"), Prefix.parse("10.244.2.0/24"), Prefix.parse("2001:db8:1::/48")],
    },
  );
}
