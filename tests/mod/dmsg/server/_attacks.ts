/**
 * What an attacker does to a dmsg server, on real sockets: idle and half-handshake TCP
 * connections (from many loopback source addresses, as from many hosts), streams that never send
 * a request, and bytes pushed toward a destination that never answers. Shared by the server's
 * attack tests and the e2e soak.
 *
 * @module
 */
import net from "node:net";
import { generateKeyPair, type KeyPair, type PubKey } from "../../../../mod/cipher/mod.ts";
import { writeAll } from "../../../../mod/conn/mod.ts";
import { dialSession, type DmsgSession, signStreamRequest } from "../../../../mod/dmsg/mod.ts";
import { nowNanos } from "../../../../mod/dmsg/disc/mod.ts";
import { Handshake } from "../../../../mod/noise/mod.ts";
import type { Stream } from "../../../../mod/yamux/mod.ts";

/** Sockets an attack holds open until disposed. */
export interface Held extends AsyncDisposable {
  /** Connections that opened. */
  readonly opened: number;
  /** Connections the server has closed since. */
  readonly closedByServer: number;
  /** Close every one. */
  close(): void;
}

/**
 * `count` loopback source addresses 127.0.<n>.<m>, none of them 127.0.0.1 (the legitimate
 * clients' address), so per-address limits see many hosts.
 */
export function sourceAddresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.${1 + Math.floor(i / 250)}.${1 + i % 250}`);
}

/**
 * Open `count` TCP connections to `address` (`host:port`), spread over `sources` (local
 * addresses), each sending `first` (if any) and then nothing. Connections the server refuses
 * or closes are counted, not retried. Resolves once every connect has finished.
 */
export async function holdConnections(
  address: string,
  count: number,
  options: { sources?: string[]; first?: (i: number) => Uint8Array; batch?: number } = {},
): Promise<Held> {
  const [host, port] = splitAddress(address);
  const sockets: net.Socket[] = [];
  let opened = 0;
  let closedByServer = 0;
  let disposed = false;
  const batch = options.batch ?? 200;
  for (let start = 0; start < count; start += batch) {
    const connects: Promise<void>[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      connects.push(
        new Promise<void>((resolve) => {
          const sources = options.sources;
          const socket = net.connect({
            host,
            port,
            localAddress: sources?.length ? sources[i % sources.length] : undefined,
          });
          sockets.push(socket);
          socket.on("connect", () => {
            opened++;
            const first = options.first?.(i);
            if (first) socket.write(first);
            resolve();
          });
          socket.on("data", () => {});
          socket.on("error", () => resolve());
          socket.on("close", () => {
            if (!disposed) closedByServer++;
            resolve();
          });
        }),
      );
    }
    await Promise.all(connects);
  }
  const close = () => {
    disposed = true;
    for (const socket of sockets) socket.destroy();
  };
  return {
    get opened() {
      return opened;
    },
    get closedByServer() {
      return closedByServer;
    },
    close,
    [Symbol.asyncDispose]() {
      close();
      return Promise.resolve();
    },
  };
}

/** The first XK message to `serverPk`, framed: a valid start that is never finished. */
export function xkFirstMessage(serverPk: PubKey): Uint8Array {
  const handshake = new Handshake({
    pattern: "XK",
    initiator: true,
    localKeyPair: generateKeyPair(),
    remoteStatic: serverPk,
  });
  const message = handshake.writeMessage();
  const framed = new Uint8Array(2 + message.length);
  new DataView(framed.buffer).setUint16(0, message.length);
  framed.set(message, 2);
  return framed;
}

/** A session opened by hand, for attacks that need one. */
export interface AttackSession extends AsyncDisposable {
  keys: KeyPair;
  session: DmsgSession;
}

/** Dial a session to the server at `address` with fresh keys. */
export async function attackSession(address: string, serverPk: PubKey): Promise<AttackSession> {
  const keys = generateKeyPair();
  const session = await dialSession({ address, serverPk, keyPair: keys });
  return {
    keys,
    session,
    async [Symbol.asyncDispose]() {
      await session.close();
    },
  };
}

/**
 * Open `count` streams on `session` that never send a request. Resolves the streams that
 * opened (the server may reset any of them at once).
 */
export async function silentStreams(session: DmsgSession, count: number): Promise<Stream[]> {
  const streams: Stream[] = [];
  for (let i = 0; i < count; i++) {
    streams.push(await session.open());
  }
  return streams;
}

/**
 * On `count` streams of `from`, send a valid request to `dst` (a client that never answers)
 * and then push `bytes` more at once. Resolves how many pushes the server took in full (the
 * rest were reset).
 */
export async function pushPastRequest(
  from: AttackSession,
  dst: PubKey,
  count: number,
  bytes: number,
): Promise<{ streams: Stream[]; pushed: number }> {
  const payload = new Uint8Array(bytes);
  const streams: Stream[] = [];
  let pushed = 0;
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const stream = await from.session.open();
      streams.push(stream);
      const request = signStreamRequest({
        Timestamp: nowNanos(),
        SrcAddr: { PK: from.keys.pk, Port: 49152 + i },
        DstAddr: { PK: dst, Port: 7 },
        NoiseMsg: new Uint8Array(49),
      }, from.keys.sk);
      try {
        await from.session.writeObject(stream, request);
        await writeAll(stream, payload);
        pushed++;
      } catch {
        // Reset by the server.
      }
    }),
  );
  return { streams, pushed };
}

/**
 * A session for `keys` that takes the streams the server forwards to it and never reads or
 * answers them: a silent destination.
 */
export async function silentDestination(address: string, serverPk: PubKey) {
  const attack = await attackSession(address, serverPk);
  const held: Stream[] = [];
  const taking = (async () => {
    for (;;) {
      const stream = await attack.session.accept();
      if (stream === null) return;
      held.push(stream);
    }
  })();
  return {
    ...attack,
    held,
    async [Symbol.asyncDispose]() {
      await attack.session.close();
      await taking;
    },
  };
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(":");
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}
