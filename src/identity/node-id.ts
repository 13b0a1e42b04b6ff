// Node ID and machine-id (kubespan-node spec §2.1, §2.3).
import { randomBytes } from "node:crypto";
import { base62Decode, base62Encode } from "./base62.js";
import { IdentityError } from "./errors.js";

export const NODE_ID_RANDOM_BYTES = 32;
const MACHINE_ID_BYTES = 16;

/** base62 of 32 CSPRNG bytes: 43–45 characters, like a Talos node ID. */
export function generateNodeId(random: (n: number) => Buffer = randomBytes): string {
  return base62Encode(random(NODE_ID_RANDOM_BYTES));
}

/**
 * Talos derives /etc/machine-id from the node ID: lowercase hex of the first
 * 16 decoded bytes. Throws IdentityError when the ID is not base62 or too short.
 */
export function machineIdFromNodeId(nodeId: string): string {
  const decoded = base62Decode(nodeId);
  if (decoded.length < MACHINE_ID_BYTES) {
    throw new IdentityError(
      `node ID decodes to ${decoded.length} bytes, at least ${MACHINE_ID_BYTES} are needed for a machine-id`,
    );
  }
  return decoded.subarray(0, MACHINE_ID_BYTES).toString("hex");
}
