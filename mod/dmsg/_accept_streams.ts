import type { Stream } from "../yamux/mod.ts";
import type { DmsgSession } from "./session.ts";

/** A counter with a limit: a stream takes a slot before its work is spawned. */
export class Slots {
  /** Most slots held at once. */
  readonly limit: number;
  #used = 0;

  /** Slots up to `limit` (default: no limit, a plain counter). */
  constructor(limit = Infinity) {
    this.limit = limit;
  }

  /** Slots held now. */
  get used(): number {
    return this.#used;
  }

  /** Take a slot; false when all are held. */
  take(): boolean {
    if (this.#used >= this.limit) return false;
    this.#used++;
    return true;
  }

  /** Give a slot back. */
  give(): void {
    this.#used--;
  }
}

/** Options for {@linkcode acceptStreams}. */
export interface AcceptStreamsOptions {
  /** Each stream takes one slot in every one of these (all or none) before it is served. */
  slots: Slots[];
  /**
   * Slots a stream also takes but holds only while its handshake runs: until `serve` calls
   * its `handshakeDone`, or its work ends.
   */
  handshakeSlots?: Slots[];
  /** Whether streams are still taken at all (default: always; false once the entity closes). */
  open?: () => boolean;
  /** Serve one stream that got its slots; must not throw. */
  serve: (stream: Stream, handshakeDone: () => void) => Promise<void>;
  /** Called for a stream refused for want of a slot, before it is reset. */
  onRefused?: (stream: Stream) => void;
}

/**
 * Accept `session`'s streams until it ends, each served once it holds its slots; a stream that
 * finds a limit reached (or the entity closed) is reset at once. Slots are given back when a
 * stream's work is done. Resolves once the session and every stream it carried are done.
 */
export async function acceptStreams(
  session: DmsgSession,
  options: AcceptStreamsOptions,
): Promise<void> {
  const running = new Set<Promise<void>>();
  const all = [...(options.handshakeSlots ?? []), ...options.slots];
  for (;;) {
    // The ACK goes out with the answer (or the refusal), one connection write less per stream;
    // the handshake limit answers every stream long before the opener's open timeout.
    const stream = await session.accept({ lazy: true });
    if (stream === null) break;
    if (options.open?.() === false || !takeAll(all)) {
      options.onRefused?.(stream);
      stream.reset();
      continue;
    }
    let handshaking = true;
    const handshakeDone = () => {
      if (!handshaking) return;
      handshaking = false;
      for (const slots of options.handshakeSlots ?? []) slots.give();
    };
    const task = options.serve(stream, handshakeDone).finally(() => {
      handshakeDone();
      for (const slots of options.slots) slots.give();
      running.delete(task);
    });
    running.add(task);
  }
  await session.closed;
  await Promise.all(running);
}

function takeAll(all: Slots[]): boolean {
  for (let i = 0; i < all.length; i++) {
    if (all[i].take()) continue;
    for (let j = 0; j < i; j++) all[j].give();
    return false;
  }
  return true;
}
