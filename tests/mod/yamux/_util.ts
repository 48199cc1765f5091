import { Session, type SessionOptions } from "../../../mod/yamux/mod.ts";

/** Two ends of a real loopback TCP connection. */
export async function tcpPair(): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const [dialed, accepted] = await Promise.all([
      Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
      listener.accept(),
    ]);
    dialed.setNoDelay(true);
    accepted.setNoDelay(true);
    return [dialed, accepted];
  } finally {
    listener.close();
  }
}

/** Options shared by both ends of {@linkcode sessionPair}. */
export type PairOptions = Omit<SessionOptions, "role">;

/** A client and a server session over loopback TCP; `await using` closes both. */
export async function sessionPair(
  options: PairOptions = {},
): Promise<{ client: Session; server: Session } & AsyncDisposable> {
  const [a, b] = await tcpPair();
  const client = new Session(a, { enableKeepAlive: false, ...options, role: "client" });
  const server = new Session(b, { enableKeepAlive: false, ...options, role: "server" });
  return {
    client,
    server,
    async [Symbol.asyncDispose]() {
      await Promise.all([client.close(), server.close()]);
    },
  };
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Read until end of stream with reads of at most `chunk` bytes; returns everything read. */
export async function readAllFrom(
  stream: { read(p: Uint8Array): Promise<number | null> },
  chunk = 64 * 1024,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  const buf = new Uint8Array(chunk);
  for (;;) {
    const n = await stream.read(buf);
    if (n === null) break;
    parts.push(buf.slice(0, n));
    total += n;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const part of parts) {
    out.set(part, off);
    off += part.length;
  }
  return out;
}
