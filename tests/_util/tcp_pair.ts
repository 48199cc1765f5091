/**
 * Both ends of a real loopback TCP connection on 127.0.0.1: `[dialed, accepted]`, with Nagle off
 * on both so small writes are not held back. The listener is closed before this resolves; the
 * caller owns (and closes) both connections.
 */
export async function tcpPair(): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [dialed, accepted] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    listener.accept(),
  ]);
  dialed.setNoDelay(true);
  accepted.setNoDelay(true);
  return [dialed, accepted];
}
