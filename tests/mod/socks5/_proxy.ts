import {
  serveSocks5,
  type Socks5Outcome,
  type Socks5ServerOptions,
} from "../../../mod/socks5/mod.ts";

/** A SOCKS5 proxy on 127.0.0.1:0 serving every connection with {@linkcode serveSocks5}. */
export interface TestProxy extends AsyncDisposable {
  /** Its port. */
  port: number;
  /** Outcomes of finished connections, in finishing order. */
  outcomes: Socks5Outcome[];
  /** Connections being served. */
  active: number;
  /** Wait until `n` connections have finished. */
  finished(n: number, ms?: number): Promise<void>;
}

/** Start a proxy; `await using` stops it and waits for every connection it served. */
export function startProxy(options: Socks5ServerOptions = {}): TestProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const abort = new AbortController();
  const serving = new Set<Promise<void>>();
  const proxy: TestProxy = {
    port: listener.addr.port,
    outcomes: [],
    active: 0,
    async finished(n, ms = 10_000) {
      const end = performance.now() + ms;
      while (this.outcomes.length < n) {
        if (performance.now() > end) {
          throw new Error(`${this.outcomes.length} of ${n} connections finished`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async [Symbol.asyncDispose]() {
      abort.abort();
      listener.close();
      await accepting;
      await Promise.all(serving);
    },
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        proxy.active++;
        const done = serveSocks5(conn, { ...options, signal: abort.signal }).then((outcome) => {
          proxy.active--;
          proxy.outcomes.push(outcome);
          serving.delete(done);
        });
        serving.add(done);
      }
    } catch {
      // The listener closed.
    }
  })();
  return proxy;
}
