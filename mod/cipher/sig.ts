import { CipherError } from "./errors.ts";
import { bytesToHex, hexToBytes } from "./hex.ts";

const SIG_LEN = 65;

/** A recoverable secp256k1 signature as Skywire writes it: `R(32)‖S(32)‖recid(1)`. */
export class Sig {
  readonly #bytes: Uint8Array;

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Build from 65 bytes (copied). Validity is checked at verification time, as in Go. */
  static fromBytes(bytes: Uint8Array): Sig {
    if (bytes.length !== SIG_LEN) {
      throw new CipherError(`invalid signature length ${bytes.length}, want ${SIG_LEN}`);
    }
    return new Sig(Uint8Array.from(bytes));
  }

  /** Parse 130 hex characters. */
  static fromHex(hex: string): Sig {
    if (hex.length !== SIG_LEN * 2) {
      throw new CipherError(`invalid signature: want ${SIG_LEN * 2} hex characters`);
    }
    return Sig.fromBytes(hexToBytes(hex));
  }

  /** The all-zero signature (what Go's zero value looks like). */
  static zero(): Sig {
    return new Sig(new Uint8Array(SIG_LEN));
  }

  /** The raw bytes without copying; callers must not modify them. */
  get view(): Uint8Array {
    return this.#bytes;
  }

  /** Lowercase hex, 130 characters. */
  hex(): string {
    return bytesToHex(this.#bytes);
  }

  /** Whether every byte is zero. */
  isNull(): boolean {
    return this.#bytes.every((b) => b === 0);
  }

  /** Hex, for JSON. */
  toJSON(): string {
    return this.hex();
  }

  /** Hex. */
  toString(): string {
    return this.hex();
  }
}
