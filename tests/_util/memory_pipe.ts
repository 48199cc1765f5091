import type { ByteStream } from "../../mod/conn/mod.ts";

/**
 * Two connected in-memory {@linkcode ByteStream}s, `[a, b]`: what `a` writes `b` reads and the
 * other way round. Each direction holds at most `capacity` unread bytes; a write takes what fits
 * (resolving to that count) and waits while the direction is full, so backpressure is exact.
 *
 * - `closeWrite()` ends our direction: the peer reads what is buffered, then `null`.
 * - `close()` ends our direction too and drops what we had not read: our pending and later
 *   reads and writes fail, and so do the peer's writes to us.
 */
export function memoryPipe(capacity = 64 * 1024): [ByteStream, ByteStream] {
  const ab = new Channel(capacity);
  const ba = new Channel(capacity);
  return [new MemoryEnd(ba, ab), new MemoryEnd(ab, ba)];
}

class MemoryEnd implements ByteStream {
  readonly #in: Channel;
  readonly #out: Channel;

  constructor(input: Channel, output: Channel) {
    this.#in = input;
    this.#out = output;
  }

  read(p: Uint8Array): Promise<number | null> {
    return this.#in.read(p);
  }

  write(p: Uint8Array): Promise<number> {
    return this.#out.write(p);
  }

  closeWrite(): Promise<void> {
    this.#out.end();
    return Promise.resolve();
  }

  close(): void {
    this.#out.end();
    this.#in.abort();
  }
}

// One direction: a queue of chunks with at most `capacity` bytes, one waiting reader and writer.
class Channel {
  readonly #capacity: number;
  readonly #chunks: Uint8Array[] = [];
  #size = 0;
  #ended = false;
  #aborted = false;
  #readWaiter: (() => void) | undefined;
  #writeWaiter: (() => void) | undefined;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  async read(p: Uint8Array): Promise<number | null> {
    while (this.#size === 0 || this.#aborted) {
      if (this.#aborted) throw new Error("memory pipe closed");
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#readWaiter = resolve);
    }
    let n = 0;
    while (n < p.length && this.#chunks.length > 0) {
      const chunk = this.#chunks[0];
      const take = Math.min(chunk.length, p.length - n);
      p.set(chunk.subarray(0, take), n);
      n += take;
      if (take === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#size -= n;
    this.#wakeWriter();
    return n;
  }

  async write(p: Uint8Array): Promise<number> {
    if (p.length === 0 && !this.#aborted && !this.#ended) return 0;
    while (this.#size >= this.#capacity && !this.#aborted && !this.#ended) {
      await new Promise<void>((resolve) => this.#writeWaiter = resolve);
    }
    if (this.#aborted || this.#ended) throw new Error("memory pipe closed");
    const n = Math.min(p.length, this.#capacity - this.#size);
    this.#chunks.push(p.slice(0, n));
    this.#size += n;
    this.#wakeReader();
    return n;
  }

  end(): void {
    this.#ended = true;
    this.#wakeReader();
    this.#wakeWriter();
  }

  abort(): void {
    this.#aborted = true;
    this.#chunks.length = 0;
    this.#size = 0;
    this.#wakeReader();
    this.#wakeWriter();
  }

  #wakeReader(): void {
    const wake = this.#readWaiter;
    this.#readWaiter = undefined;
    wake?.();
  }

  #wakeWriter(): void {
    const wake = this.#writeWaiter;
    this.#writeWaiter = undefined;
    wake?.();
  }
}
