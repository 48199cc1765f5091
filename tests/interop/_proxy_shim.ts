/**
 * A loopback shim in front of Go's address resolver, so that visors on one machine can bind
 * stcpr there: Go's resolver binds only a caller whose IP is public and listed in the bind's
 * `addresses`, and it reads the caller's IP from a PROXY protocol header when one is sent. The
 * shim sends `PROXY TCP4 <claimed> ...` for every connection, and rewrites
 * `"remote_addr":"<claimed>"` in the answers to `"remote_addr":"127.0.0.1"` (padded with spaces
 * to the same length, still valid JSON) so stcpr dials stay on 127.0.0.1.
 *
 * @module
 */

/** A running shim. */
export interface ProxyShim extends AsyncDisposable {
  /** The URL visors use instead of the resolver's. */
  readonly url: string;
}

const encoder = new TextEncoder();

// In place: `to` has the length of `from`.
function replaceAll(chunk: Uint8Array, from: Uint8Array, to: Uint8Array): void {
  outer: for (let i = 0; i + from.length <= chunk.length; i++) {
    for (let j = 0; j < from.length; j++) if (chunk[i + j] !== from[j]) continue outer;
    chunk.set(to, i);
    i += from.length - 1;
  }
}

async function pump(
  from: Deno.Conn,
  to: Deno.Conn,
  rewrite?: [Uint8Array, Uint8Array],
): Promise<void> {
  const buffer = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await from.read(buffer);
      if (n === null) break;
      const chunk = buffer.subarray(0, n);
      if (rewrite) replaceAll(chunk, rewrite[0], rewrite[1]);
      for (let off = 0; off < chunk.length;) off += await to.write(chunk.subarray(off));
    }
  } catch {
    // Either side went away: the other is closed below.
  }
  await to.closeWrite().catch(() => {});
}

/** Start the shim on 127.0.0.1 (a free port) in front of 127.0.0.1:`upstreamPort`. */
export function startProxyShim(options: {
  upstreamPort: number;
  claimedIp: string;
}): Promise<ProxyShim> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  const from = encoder.encode(`"remote_addr":"${options.claimedIp}"`);
  const bare = encoder.encode(`"remote_addr":"127.0.0.1"`);
  const to = new Uint8Array(from.length).fill(0x20);
  to.set(bare.subarray(0, Math.min(bare.length, from.length)));
  const rewrite: [Uint8Array, Uint8Array] | undefined = bare.length <= from.length
    ? [from, to]
    : undefined;
  const serve = async (client: Deno.Conn) => {
    conns.add(client);
    let upstream: Deno.Conn | undefined;
    try {
      upstream = await Deno.connect({ hostname: "127.0.0.1", port: options.upstreamPort });
      conns.add(upstream);
      const port = (client.remoteAddr as Deno.NetAddr).port;
      const ip = options.claimedIp;
      await upstream.write(
        encoder.encode(`PROXY TCP4 ${ip} ${ip} ${port} ${options.upstreamPort}\r\n`),
      );
      await Promise.all([pump(client, upstream), pump(upstream, client, rewrite)]);
    } catch {
      // The resolver is gone: the client sees its connection close.
    } finally {
      for (const conn of [client, upstream]) {
        if (!conn) continue;
        conns.delete(conn);
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
    }
  };
  const accepting = (async () => {
    for await (const client of listener) {
      const task = serve(client);
      tasks.add(task);
      task.finally(() => tasks.delete(task));
    }
  })().catch(() => {});
  const port = (listener.addr as Deno.NetAddr).port;
  return Promise.resolve({
    url: `http://127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      await accepting;
      await Promise.allSettled([...tasks]);
    },
  });
}
