import { CipherError } from "./errors.ts";
import { bytesToHex, hexToBytes } from "./hex.ts";
import { getSecp256k1 } from "./get_secp256k1.ts";

/** Length of a compressed secp256k1 public key. */
const PUB_KEY_LEN = 33;

/**
 * A secp256k1 public key in compressed form (33 bytes). Its text form is 66 lowercase hex
 * characters; an all-zero string (or an empty one, as Go accepts) is the null key.
 */
export class PubKey {
  /** The null key: 33 zero bytes. */
  static readonly NULL: PubKey = new PubKey(new Uint8Array(PUB_KEY_LEN), true);

  readonly #bytes: Uint8Array;
  #hex?: string;

  private constructor(bytes: Uint8Array, trusted: boolean) {
    this.#bytes = trusted ? bytes : Uint8Array.from(bytes);
  }

  /** Build from 33 bytes; rejects a wrong length or a point not on the curve (null is allowed). */
  static fromBytes(bytes: Uint8Array): PubKey {
    if (bytes.length !== PUB_KEY_LEN) {
      throw new CipherError(`invalid public key length ${bytes.length}, want ${PUB_KEY_LEN}`);
    }
    if (bytes.every((b) => b === 0)) return PubKey.NULL;
    if (!getSecp256k1().isValidPoint(bytes)) {
      throw new CipherError("invalid public key: not a point on secp256k1");
    }
    return new PubKey(bytes, false);
  }

  /** Parse the 66-character hex form (all zeros or empty gives the null key). */
  static fromHex(hex: string): PubKey {
    if (/^0*$/.test(hex)) return PubKey.NULL;
    if (hex.length !== PUB_KEY_LEN * 2) {
      throw new CipherError(`invalid public key: want ${PUB_KEY_LEN * 2} hex characters`);
    }
    return PubKey.fromBytes(hexToBytes(hex));
  }

  /** The 33 raw bytes (a copy, so callers cannot change the key). */
  bytes(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }

  /** The raw bytes without copying; callers must not modify them. */
  get view(): Uint8Array {
    return this.#bytes;
  }

  /** Lowercase hex, 66 characters. */
  hex(): string {
    return this.#hex ??= bytesToHex(this.#bytes);
  }

  /** Whether this is the null key. */
  isNull(): boolean {
    return this === PubKey.NULL || this.#bytes.every((b) => b === 0);
  }

  /** Byte-wise equality. */
  equals(other: PubKey): boolean {
    return this.hex() === other.hex();
  }

  /** Big-endian comparison, as Go's `big.Int.Cmp` orders keys. */
  compare(other: PubKey): number {
    const a = this.#bytes, b = other.#bytes;
    for (let i = 0; i < PUB_KEY_LEN; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
  }

  /** Hex, so that `JSON.stringify` writes the Go text form. */
  toJSON(): string {
    return this.hex();
  }

  /** Hex. */
  toString(): string {
    return this.hex();
  }
}
