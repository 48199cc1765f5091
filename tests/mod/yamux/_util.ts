import { Session, type SessionOptions } from "../../../mod/yamux/mod.ts";
import { tcpPair } from "../../_util/tcp_pair.ts";

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

/** A frame as seen on the wire by {@linkcode RawPeer}. */
export interface RawFrame {
  type: number;
  flags: number;
  streamId: number;
  length: number;
  body: Uint8Array;
}

/**
 * The far end of a session speaking raw frames over TCP: sends hand-made frames (including
 * broken ones) and reads exactly what the session wrote.
 */
export class RawPeer {
  readonly conn: Deno.TcpConn;
  #buffer = new Uint8Array(0);

  constructor(conn: Deno.TcpConn) {
    this.conn = conn;
  }

  /** Send one frame; `length` defaults to the body size. */
  async send(
    frame: { type: number; flags?: number; streamId?: number; length?: number },
    body: Uint8Array = new Uint8Array(0),
  ): Promise<void> {
    const out = new Uint8Array(12 + body.length);
    const view = new DataView(out.buffer);
    view.setUint8(1, frame.type);
    view.setUint16(2, frame.flags ?? 0);
    view.setUint32(4, frame.streamId ?? 0);
    view.setUint32(8, frame.length ?? body.length);
    out.set(body, 12);
    await writeAllRaw(this.conn, out);
  }

  /** Send raw bytes as they are. */
  async sendBytes(bytes: Uint8Array): Promise<void> {
    await writeAllRaw(this.conn, bytes);
  }

  /** The next frame the session wrote, or `null` when it closed the connection. */
  async next(): Promise<RawFrame | null> {
    if (!(await this.#fill(12))) return null;
    const view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset);
    const header = {
      type: view.getUint8(1),
      flags: view.getUint16(2),
      streamId: view.getUint32(4),
      length: view.getUint32(8),
    };
    const bodyLength = header.type === 0 ? header.length : 0;
    if (!(await this.#fill(12 + bodyLength))) throw new Error("connection ended mid-frame");
    const body = this.#buffer.slice(12, 12 + bodyLength);
    this.#buffer = this.#buffer.subarray(12 + bodyLength);
    return { ...header, body };
  }

  /** Skip frames until one matches; throws if the connection ends first. */
  async until(match: (frame: RawFrame) => boolean): Promise<RawFrame> {
    for (;;) {
      const frame = await this.next();
      if (!frame) throw new Error("connection closed before the expected frame");
      if (match(frame)) return frame;
    }
  }

  /** Frames up to (not including) the ACK of a ping we send now: everything written before it. */
  async framesBeforePingAck(id = 0xfeed): Promise<RawFrame[]> {
    await this.send({ type: 2, flags: 1, length: id });
    const frames: RawFrame[] = [];
    for (;;) {
      const frame = await this.next();
      if (!frame) throw new Error("connection closed before the ping answer");
      if (frame.type === 2 && frame.flags === 2 && frame.length === id) return frames;
      frames.push(frame);
    }
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }

  async #fill(n: number): Promise<boolean> {
    while (this.#buffer.length < n) {
      const chunk = new Uint8Array(64 * 1024);
      const count = await this.conn.read(chunk);
      if (count === null) return false;
      const merged = new Uint8Array(this.#buffer.length + count);
      merged.set(this.#buffer);
      merged.set(chunk.subarray(0, count), this.#buffer.length);
      this.#buffer = merged;
    }
    return true;
  }
}

async function writeAllRaw(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/** Our session on one end of a TCP connection and a {@linkcode RawPeer} on the other. */
export async function rawPair(
  options: SessionOptions,
): Promise<{ session: Session; raw: RawPeer } & AsyncDisposable> {
  const [a, b] = await tcpPair();
  const session = new Session(a, { enableKeepAlive: false, ...options });
  const raw = new RawPeer(b);
  return {
    session,
    raw,
    async [Symbol.asyncDispose]() {
      raw.close();
      await session.close();
    },
  };
}

/** Wait (without timing assertions) until `condition` holds; fails after `attempts` checks. */
export async function eventually(condition: () => boolean, attempts = 2000): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error("condition not reached");
}
