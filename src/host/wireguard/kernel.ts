// The kernel backend: WireGuard's generic netlink family through the `netlink`
// package. Large patches go out as several SET_DEVICE messages (batch.ts).
import { createWireGuard, type WireGuardSocket } from "netlink";
import { splitPatch } from "./batch.js";
import { devicesFromNetlink, patchToNetlink } from "./netlink-codec.js";
import { type DevicePatch, type ObservedDevice, type WireGuardBackend, WireGuardError } from "./types.js";

const REQUEST_TIMEOUT_MS = 30_000;

export class KernelBackend implements WireGuardBackend {
  readonly kind = "kernel";

  private constructor(
    readonly ifname: string,
    private readonly socket: WireGuardSocket,
  ) {}

  /** Fails with a WireGuardError when the kernel has no `wireguard` generic netlink family. */
  static async open(ifname: string): Promise<KernelBackend> {
    try {
      return new KernelBackend(ifname, await createWireGuard());
    } catch (err) {
      throw new WireGuardError(`kernel WireGuard netlink family unavailable: ${messageOf(err)}`);
    }
  }

  async read(): Promise<ObservedDevice> {
    try {
      return devicesFromNetlink(await this.socket.getDevice(this.ifname, { timeout: REQUEST_TIMEOUT_MS }));
    } catch (err) {
      throw this.wrap("reading the device", err);
    }
  }

  async configure(patch: DevicePatch): Promise<void> {
    for (const batch of splitPatch(patch)) {
      try {
        await this.socket.setDevice(this.ifname, patchToNetlink(batch), { timeout: REQUEST_TIMEOUT_MS });
      } catch (err) {
        throw this.wrap("configuring the device", err);
      }
    }
  }

  async close(): Promise<void> {
    this.socket.socket.socket.close();
  }

  private wrap(action: string, err: unknown): Error {
    if (err instanceof WireGuardError) return err;
    return new WireGuardError(`${this.ifname}: ${action} over netlink failed: ${messageOf(err)}`);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
