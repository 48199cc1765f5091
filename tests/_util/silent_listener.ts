/**
 * A peer that hangs: a TCP listener on 127.0.0.1 that accepts every connection and never
 * answers, for tests of timeouts. Disposing it closes the listener and every connection it
 * holds.
 *
 * @module
 */

/** The listener's port and its disposal. */
export interface SilentListener extends AsyncDisposable {
  readonly port: number;
}

/** Listen on 127.0.0.1 (a free port), accept and hold every connection, answer nothing. */
export function silentListener(): SilentListener {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  return {
    port: listener.addr.port,
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting.catch(() => {});
      for (const conn of held) conn.close();
    },
  };
}
