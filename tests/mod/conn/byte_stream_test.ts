/**
 * Every ByteStream implementation against the one contract in tests/_util/byte_stream_compliance.ts.
 * Not here: `mod/dmsg/_handshake_reader.ts`, a read-ahead view used only during a session
 * handshake, whose `close` deliberately leaves the connection to its owner.
 */
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import { TcpStream } from "../../../mod/conn/mod.ts";
import { TrackedConn } from "../../../mod/http/_tcp_acceptor.ts";
import { NoiseStream, performHandshake } from "../../../mod/noise/mod.ts";
import { Session } from "../../../mod/yamux/mod.ts";
import { StreamWatchdog } from "../../../mod/dmsg_http/_watchdog.ts";
import { testByteStream } from "../../_util/byte_stream_compliance.ts";
import { memoryPipe } from "../../_util/memory_pipe.ts";
import { createStcpNetwork } from "../../../mod/transport/mod.ts";
import { tcpPair } from "../../_util/tcp_pair.ts";
import { testNetwork } from "../dmsg/_harness.ts";

testByteStream("loopback TCP (TcpStream over Deno.TcpConn)", () =>
  Promise.resolve({
    async pair() {
      const [a, b] = await tcpPair();
      return { a: new TcpStream(a), b: new TcpStream(b) };
    },
  }));

testByteStream("HTTP acceptor's TrackedConn over TCP", () =>
  Promise.resolve({
    async pair() {
      const [a, b] = await tcpPair();
      let released = 0;
      const release = () => released++;
      return {
        a: new TrackedConn(a, release),
        b: new TrackedConn(b, release),
        // Each end gives its slot back exactly once, however often it is closed.
        released: () => released === 2,
      };
    },
  }));

testByteStream("memory pipe (tests/_util)", () =>
  Promise.resolve({
    pair() {
      const [a, b] = memoryPipe();
      return Promise.resolve({ a, b });
    },
  }));

testByteStream("yamux stream over TCP", () =>
  Promise.resolve({
    async pair() {
      const [x, y] = await tcpPair();
      const client = new Session(x, { role: "client", enableKeepAlive: false });
      const server = new Session(y, { role: "server", enableKeepAlive: false });
      const a = await client.open();
      const b = (await server.accept())!;
      return {
        a,
        b,
        released: () => client.numStreams === 0 && server.numStreams === 0,
        dispose: () => Promise.all([client.close(), server.close()]).then(() => {}),
      };
    },
  }));

testByteStream("noise stream (XK) over TCP", () =>
  Promise.resolve({
    async pair() {
      const client = generateKeyPair(), server = generateKeyPair();
      const [x, y] = await tcpPair();
      const [clientKeys, serverKeys] = await Promise.all([
        performHandshake({
          stream: x,
          pattern: "XK",
          initiator: true,
          localKeyPair: client,
          remoteStatic: server.pk,
        }),
        performHandshake({ stream: y, pattern: "XK", initiator: false, localKeyPair: server }),
      ]);
      return { a: new NoiseStream(x, clientKeys), b: new NoiseStream(y, serverKeys) };
    },
  }));

testByteStream("dmsg stream through a dmsg server", async () => {
  const net = await testNetwork();
  await net.server();
  const [dialer, listener] = await Promise.all([net.client(), net.client()]);
  await Promise.all([dialer.ready(), listener.ready()]);
  let port = 1000;
  return {
    async pair() {
      // A stream closed while its peer is blocked writing to it lingers in yamux until the
      // peer's close timeout (as in Go): count only what this pair adds on top.
      const yamuxBefore = dialer.stats().yamuxStreams + listener.stats().yamuxStreams;
      const incoming = listener.listen(++port);
      const [a, b] = await Promise.all([
        dialer.dialStream({ pk: listener.pk, port }),
        incoming.accept(),
      ]);
      return {
        a,
        b: b!,
        released: () =>
          dialer.stats().streams === 0 && dialer.stats().ports === 0 &&
          listener.stats().streams === 0 &&
          dialer.stats().yamuxStreams + listener.stats().yamuxStreams <= yamuxBefore,
        dispose: () => incoming.close(),
      };
    },
    close: () => net[Symbol.asyncDispose](),
  };
}, { sanitize: false });

testByteStream("dmsg_http StreamWatchdog over TCP (no limit armed)", () =>
  Promise.resolve({
    async pair() {
      const [a, b] = await tcpPair();
      return { a: new StreamWatchdog(a), b: new StreamWatchdog(b) };
    },
  }));

testByteStream("stcp transport connection (network handshake, Noise, TCP)", async () => {
  const a = generateKeyPair(), b = generateKeyPair();
  const table = new Map<string, string>();
  const na = createStcpNetwork({ keyPair: a, pkTable: table, listeningAddress: "127.0.0.1:0" });
  const nb = createStcpNetwork({ keyPair: b, pkTable: table, listeningAddress: "127.0.0.1:0" });
  await Promise.all([na.start(), nb.start()]);
  table.set(b.pk.hex(), `127.0.0.1:${nb.listenAddr!.port}`);
  const listener = nb.listen(45);
  return {
    async pair() {
      const [dialed, accepted] = await Promise.all([na.dial(b.pk, 45), listener.accept()]);
      return { a: dialed, b: accepted! };
    },
    close: async () => {
      listener.close();
      await Promise.all([na.close(), nb.close()]);
    },
  };
}, { sanitize: false });
