import {
  CipherError,
  type SecKey,
  Sig,
  signPayload,
  verifyPubKeySignedPayload,
} from "../../cipher/mod.ts";
import type { Entry } from "./entry.ts";
import { signableBytes } from "./entry_json.ts";

/** An entry whose signature is missing, malformed or made by another key. */
export class EntrySignatureError extends Error {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EntrySignatureError";
  }
}

/**
 * Sign `entry` as Go's `Entry.Sign` does: clear the signature, marshal Go-canonically, sign the
 * SHA-256 of those bytes, store the hex. Returns a new entry; `entry` is not changed.
 */
export function signEntry(entry: Entry, sk: SecKey): Entry {
  const sig = signPayload(signableBytes(entry), sk);
  return { ...entry, signature: sig.hex() };
}

/**
 * Verify as Go's `Entry.VerifySignature` does: the hex signature must parse, and it must be
 * `static`'s signature over the Go-canonical JSON of the entry without its signature
 * (`signable`, when the caller has it from `marshalEntryAndSignable`). Throws
 * {@linkcode EntrySignatureError}.
 */
export function verifyEntrySignature(entry: Entry, signable?: Uint8Array): void {
  let sig: Sig;
  try {
    sig = Sig.fromHex(entry.signature);
  } catch (error) {
    throw new EntrySignatureError("malformed signature", { cause: error });
  }
  try {
    verifyPubKeySignedPayload(entry.static, sig, signable ?? signableBytes(entry));
  } catch (error) {
    if (error instanceof CipherError) {
      throw new EntrySignatureError(error.message, { cause: error });
    }
    throw error;
  }
}
