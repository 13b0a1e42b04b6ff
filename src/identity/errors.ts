/**
 * A problem with the node's identity. `file` names the identity file at
 * fault, when there is one. Messages never contain the private key.
 */
export class IdentityError extends Error {
  override name = "IdentityError";
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file === undefined ? message : `${file}: ${message}`);
  }
}
