/** A key, signature or hex string that is malformed or does not verify. */
export class CipherError extends Error {
  /** Create the error with a message naming what is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "CipherError";
  }
}
