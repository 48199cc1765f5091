import type { ByteStream } from "../../../mod/conn/mod.ts";
import { type KeyPair, keyPairFromSecKey, SecKey } from "../../../mod/cipher/mod.ts";
import { Prng as SharedPrng } from "../../_util/prng.ts";

/** The Go vectors (tests/testdata first, the shared copy otherwise). */
export async function loadVectors(): Promise<Record<string, Record<string, unknown>>> {
  const text = await Deno.readTextFile(
    new URL("../../testdata/go-dmsg-2023-vectors.json", import.meta.url),
  ).catch(() =>
    Deno.readTextFile(
      new URL("../../../../shared/testdata/go-dmsg-2023-vectors.json", import.meta.url),
    )
  );
  return JSON.parse(text);
}

/** The four deterministic key pairs of the Go vectors. */
export interface VectorKeys {
  initiator: KeyPair;
  responder: KeyPair;
  initiatorEphemeral: KeyPair;
  responderEphemeral: KeyPair;
}

/** Key pairs from the vectors' `keys` section. */
export function vectorKeys(keys: Record<string, unknown>): VectorKeys {
  const pair = (name: string) => keyPairFromSecKey(SecKey.fromHex(keys[name] as string));
  return {
    initiator: pair("initiator_sk"),
    responder: pair("responder_sk"),
    initiatorEphemeral: pair("initiator_ephemeral_sk"),
    responderEphemeral: pair("responder_ephemeral_sk"),
  };
}

/** A vector plaintext: hex, or the shorthand "N bytes of 0xXY". */
export function vectorPlaintext(text: string): Uint8Array {
  const match = /^(\d+) bytes of 0x([0-9a-f]{2})$/.exec(text);
  if (match) return new Uint8Array(Number(match[1])).fill(parseInt(match[2], 16));
  return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** The shared seeded PRNG with noise's mapping of `int` and a byte-string mutator. */
export class Prng extends SharedPrng {
  /** An integer in [0, n). */
  override int(n: number): number {
    return this.u32() % n;
  }

  /** A copy of `input` with 1–4 random mutations (flip, set, insert, delete, truncate, extend). */
  mutate(input: Uint8Array): Uint8Array {
    let out = Uint8Array.from(input);
    const count = 1 + this.int(4);
    for (let i = 0; i < count; i++) {
      const at = out.length === 0 ? 0 : this.int(out.length);
      switch (this.int(6)) {
        case 0:
          if (out.length) out[at] ^= 1 << this.int(8);
          break;
        case 1:
          if (out.length) out[at] = this.u32() & 0xff;
          break;
        case 2: {
          const grown = new Uint8Array(out.length + 1);
          grown.set(out.subarray(0, at));
          grown[at] = this.u32() & 0xff;
          grown.set(out.subarray(at), at + 1);
          out = grown;
          break;
        }
        case 3:
          out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1)]);
          break;
        case 4:
          out = out.slice(0, at);
          break;
        default: {
          const grown = new Uint8Array(out.length + 1 + this.int(64));
          grown.set(out);
          grown.set(this.bytes(grown.length - out.length), out.length);
          out = grown;
        }
      }
    }
    return out;
  }
}

/**
 * A ByteStream that reads from fixed bytes in chunks of at most `maxChunk` (chosen by `prng`,
 * or whole when absent) and collects what is written. Closing makes later reads end.
 */
export class ScriptedStream implements ByteStream {
  readonly written: Uint8Array[] = [];
  closed = false;
  readonly #input: Uint8Array;
  readonly #prng: Prng | undefined;
  readonly #maxChunk: number;
  #offset = 0;

  constructor(input: Uint8Array, options: { prng?: Prng; maxChunk?: number } = {}) {
    this.#input = input;
    this.#prng = options.prng;
    this.#maxChunk = options.maxChunk ?? input.length;
  }

  /** How many input bytes have been consumed. */
  get consumed(): number {
    return this.#offset;
  }

  read(p: Uint8Array): Promise<number | null> {
    if (this.closed || this.#offset >= this.#input.length) return Promise.resolve(null);
    const limit = this.#prng ? 1 + this.#prng.int(this.#maxChunk) : this.#maxChunk;
    const n = Math.min(p.length, limit, this.#input.length - this.#offset);
    p.set(this.#input.subarray(this.#offset, this.#offset + n));
    this.#offset += n;
    return Promise.resolve(n);
  }

  write(p: Uint8Array): Promise<number> {
    if (this.closed) return Promise.reject(new Error("closed"));
    this.written.push(p.slice());
    return Promise.resolve(p.length);
  }

  close(): void {
    this.closed = true;
  }
}
