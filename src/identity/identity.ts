// The node's identity as the rest of the daemon sees it. The WireGuard private
// key is reachable only through the `privateKey` getter: it is absent from
// JSON, string and inspect output, so logging an Identity cannot leak it.
import { inspect } from "node:util";
import type { IP, Prefix } from "../net/ip.js";

export interface IdentityFields {
  nodeId: string;
  machineId: string;
  privateKey: string;
  publicKey: string;
  address: IP;
  subnet: Prefix;
  macSource: string;
}

export type PublicIdentity = Omit<IdentityFields, "privateKey">;

export class Identity {
  readonly nodeId: string;
  readonly machineId: string;
  readonly publicKey: string;
  readonly address: IP;
  readonly subnet: Prefix;
  readonly macSource: string;
  readonly #privateKey: string;

  constructor(fields: IdentityFields) {
    this.nodeId = fields.nodeId;
    this.machineId = fields.machineId;
    this.#privateKey = fields.privateKey;
    this.publicKey = fields.publicKey;
    this.address = fields.address;
    this.subnet = fields.subnet;
    this.macSource = fields.macSource;
  }

  /** WireGuard private key, standard base64. Never log it. */
  get privateKey(): string {
    return this.#privateKey;
  }

  toJSON(): PublicIdentity {
    return {
      nodeId: this.nodeId,
      machineId: this.machineId,
      publicKey: this.publicKey,
      address: this.address,
      subnet: this.subnet,
      macSource: this.macSource,
    };
  }

  toString(): string {
    return `Identity(${this.nodeId}, ${this.address}, ${this.publicKey})`;
  }

  [inspect.custom](): PublicIdentity {
    return this.toJSON();
  }
}
