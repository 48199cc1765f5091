import { CipherError } from "./errors.ts";
import { bytesToHex, hexToBytes } from "./hex.ts";
import { PubKey } from "./pub_key.ts";
import { getSecp256k1 } from "./get_secp256k1.ts";
import { isValidScalar } from "./_scalar.ts";

const SEC_KEY_LEN = 32;

/** A secp256k1 secret key (32 bytes). Never logged: `toString` and `toJSON` are redacted. */
export class SecKey {
  readonly #bytes: Uint8Array;

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Build from 32 bytes; rejects zero and values not below the curve order. */
  static fromBytes(bytes: Uint8Array): SecKey {
    if (bytes.length !== SEC_KEY_LEN) {
      throw new CipherError(`invalid secret key length ${bytes.length}, want ${SEC_KEY_LEN}`);
    }
    if (!isValidScalar(bytes)) {
      throw new CipherError("invalid secret key: out of range");
    }
    return new SecKey(Uint8Array.from(bytes));
  }

  /** Parse 64 hex characters. */
  static fromHex(hex: string): SecKey {
    if (hex.length !== SEC_KEY_LEN * 2) {
      throw new CipherError(`invalid secret key: want ${SEC_KEY_LEN * 2} hex characters`);
    }
    return SecKey.fromBytes(hexToBytes(hex));
  }

  /** A fresh random key. */
  static generate(): SecKey {
    // Uniform over [1, n - 1]: a draw outside it (chance ~2^-128) is drawn again.
    for (;;) {
      const bytes = crypto.getRandomValues(new Uint8Array(SEC_KEY_LEN));
      if (isValidScalar(bytes)) return new SecKey(bytes);
    }
  }

  /** The raw bytes, without copying; callers must not modify them. */
  get view(): Uint8Array {
    return this.#bytes;
  }

  /** The hex form, for writing the config file only. */
  hex(): string {
    return bytesToHex(this.#bytes);
  }

  /** The matching public key. */
  pubKey(): PubKey {
    return PubKey.fromBytes(getSecp256k1().publicKey(this.#bytes));
  }

  /** Redacted, so a key never reaches a log line by accident. */
  toString(): string {
    return "[secret key]";
  }

  /** Redacted; write `hex()` explicitly where the key must be stored. */
  toJSON(): string {
    return "[secret key]";
  }
}
