// Finding or creating the WireGuard device and choosing its backend.
//
// An existing device is adopted as it is (a daemon restart must not drop
// traffic): a `wireguard` link is driven over netlink, a TUN link answered by a
// UAPI socket is driven over UAPI. Otherwise the kernel is asked for a
// `wireguard` link first and the userspace implementation is started only when
// the kernel cannot provide one. The choice and its reason are returned for
// logs and status.
import { errnoCode } from "../rtnl/errors.js";
import type { Rtnl } from "../rtnl/rtnl.js";
import { KernelBackend } from "./kernel.js";
import { startUserspace } from "./spawn.js";
import { type BackendKind, type WireGuardBackend, WireGuardError } from "./types.js";
import { UapiBackend, uapiResponds, uapiSocketPath } from "./uapi.js";

export type BackendMode = "auto" | BackendKind;

export interface DeviceOptions {
  ifname: string;
  mode: BackendMode;
  userspaceBinary: string;
  socketDir: string;
  startTimeoutMs: number;
}

export interface BackendSelection {
  kind: BackendKind;
  reason: string;
  /** True when the device existed before (adopted), false when this call created it. */
  adopted: boolean;
}

export interface OpenedDevice {
  backend: WireGuardBackend;
  selection: BackendSelection;
}

export async function openDevice(rtnl: Rtnl, options: DeviceOptions): Promise<OpenedDevice> {
  const { ifname } = options;
  const socketPath = uapiSocketPath(ifname, options.socketDir);
  const link = await rtnl.findLink(ifname);
  if (link !== undefined) {
    if (link.kind === "wireguard" && options.mode !== "userspace") {
      return opened(await KernelBackend.open(ifname), "existing kernel WireGuard link", true);
    }
    if (link.kind === "tun" && options.mode !== "kernel" && (await uapiResponds(socketPath))) {
      return opened(uapiBackend(options), `existing userspace device answering on ${socketPath}`, true);
    }
    throw new WireGuardError(
      `link ${ifname} already exists as ${link.kind ?? "a device without a kind"}` +
        `${link.kind === "tun" ? ` with no UAPI socket answering at ${socketPath}` : ""}, ` +
        `which backend "${options.mode}" cannot drive; remove it or choose another interface name`,
    );
  }

  let kernelReason = "userspace backend forced by configuration";
  if (options.mode !== "userspace") {
    const attempt = await tryKernelLink(rtnl, ifname);
    if (typeof attempt !== "string") return opened(attempt, "kernel WireGuard link created", false);
    if (options.mode === "kernel")
      throw new WireGuardError(`kernel WireGuard backend unavailable: ${attempt}`);
    kernelReason = attempt;
  }
  await startUserspace(ifname, {
    binary: options.userspaceBinary,
    socketPath,
    startTimeoutMs: options.startTimeoutMs,
  });
  return opened(uapiBackend(options), `${kernelReason}; started ${options.userspaceBinary}`, false);
}

/** Creates a kernel `wireguard` link and its backend, or resolves with the reason it cannot. */
async function tryKernelLink(rtnl: Rtnl, ifname: string): Promise<KernelBackend | string> {
  try {
    await rtnl.createLink(ifname, "wireguard");
  } catch (err) {
    const code = errnoCode(err);
    if (code === "EOPNOTSUPP" || code === "ENOTSUP") {
      return `the kernel cannot create a wireguard link (${code}: no WireGuard module)`;
    }
    throw err;
  }
  // A link without the generic netlink family would be unusable: undo it.
  try {
    return await KernelBackend.open(ifname);
  } catch (err) {
    const link = await rtnl.findLink(ifname);
    if (link) await rtnl.deleteLink(link.index, ifname);
    return err instanceof Error ? err.message : String(err);
  }
}

function uapiBackend(options: DeviceOptions): UapiBackend {
  return new UapiBackend(options.ifname, { socketDir: options.socketDir });
}

function opened(backend: WireGuardBackend, reason: string, adopted: boolean): OpenedDevice {
  return { backend, selection: { kind: backend.kind, reason, adopted } };
}
