import { readFull, UnexpectedEofError } from "../conn/mod.ts";
import type { ByteStream } from "../conn/mod.ts";
import { Socks5ProtocolError, Socks5TimeoutError } from "./errors.ts";

/**
 * A time limit on a negotiation over one stream. Byte streams have no read deadlines, so when
 * the limit passes the stream is closed (or `onExpire` runs instead), which ends a pending
 * read; {@linkcode readExact} then reports a {@linkcode Socks5TimeoutError}.
 */
export class ReadDeadline {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #expired = false;

  /** Start the clock; at `ms` it closes `stream` (or runs `onExpire`). */
  constructor(stream: Pick<ByteStream, "close">, ms: number, onExpire?: () => void) {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#expired = true;
      if (onExpire) onExpire();
      else stream.close();
    }, ms);
  }

  /** Whether the limit passed. */
  get expired(): boolean {
    return this.#expired;
  }

  /** Stop the clock (idempotent). */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * Read exactly `n` bytes, never more (so bytes after a handshake message stay in the stream for
 * whoever reads next). End of stream part-way is a {@linkcode Socks5ProtocolError}; a read cut
 * short by an expired `deadline` is a {@linkcode Socks5TimeoutError}.
 */
export async function readExact(
  stream: Pick<ByteStream, "read">,
  n: number,
  deadline: ReadDeadline | undefined,
  what: string,
): Promise<Uint8Array> {
  const buf = new Uint8Array(n);
  try {
    await readFull(stream, buf, what);
  } catch (error) {
    if (deadline?.expired) throw new Socks5TimeoutError(what);
    if (error instanceof UnexpectedEofError) {
      throw new Socks5ProtocolError(`stream ended inside the SOCKS5 ${what}`, { cause: error });
    }
    throw error;
  }
  return buf;
}
