import type { KeyPair, PubKey } from "../cipher/mod.ts";
import {
  type ByteStream,
  connectTcp,
  readFull,
  readFullOrEof,
  UnexpectedEofError,
  writeAll,
} from "../conn/mod.ts";
import type { Logger } from "../log/mod.ts";
import { parseHostPort } from "../netutil/mod.ts";
import {
  FRAME_OVERHEAD,
  FRAME_PREFIX_SIZE,
  NoiseFrameError,
  performHandshake,
  SessionObjectCipher,
  type TransportKeys,
} from "../noise/mod.ts";
import {
  type AcceptOptions,
  type OpenOptions,
  Session as YamuxSession,
  type SessionOptions,
  type Stream,
} from "../yamux/mod.ts";
import {
  MAX_SESSION_OBJECT_LENGTH,
  SESSION_DIAL_TIMEOUT_MS,
  SESSION_HANDSHAKE_TIMEOUT_MS,
} from "./constants.ts";
import { DmsgError, DmsgErrorCode } from "./errors.ts";
import { HandshakeReader } from "./_handshake_reader.ts";

/** Yamux settings for dmsg sessions, less the role (defaults are dmsg's `YamuxConfig`). */
export type DmsgYamuxOptions = Omit<SessionOptions, "role">;

/** What a {@linkcode DmsgSession} is built from. */
export interface DmsgSessionInit {
  /** The TCP connection, after the Noise handshake; the session owns it from now on. */
  conn: ByteStream;
  /** The session's Noise XK keys: they only encrypt stream requests and responses. */
  keys: TransportKeys;
  /** Client (dialed a server) or server (accepted). */
  role: "client" | "server";
  /** Our public key. */
  localPk: PubKey;
  /** The remote TCP address, `host:port`. */
  address: string;
  /** Yamux settings. */
  yamux?: DmsgYamuxOptions;
  /** Receives yamux's log lines. */
  logger?: Logger;
}

/**
 * One dmsg session: a TCP connection to (or from) a dmsg server that finished a Noise XK
 * handshake, with yamux running on the raw connection (not inside Noise, as in Go) and the XK
 * keys kept for the per-stream request/response objects ({@linkcode writeObject},
 * {@linkcode readObject}). It owns the connection: {@linkcode close} (or the peer going away)
 * closes it, and {@linkcode closed} settles when everything is released.
 */
export class DmsgSession {
  /** Our public key. */
  readonly localPk: PubKey;
  /** The peer's public key, authenticated by the XK handshake. */
  readonly remotePk: PubKey;
  /** The remote TCP address. */
  readonly address: string;
  /** The stream multiplexer. */
  readonly yamux: YamuxSession;
  /** Encrypts and decrypts session objects (with a 1024 nonce replay window). */
  readonly objects: SessionObjectCipher;
  /** Settles (never rejects) once the session and its connection are closed. */
  readonly closed: Promise<void>;
  /** The last measured round trip in ms, if any. */
  latencyMs: number | undefined;

  /** Start yamux on the connection; see {@linkcode dialSession} / {@linkcode acceptSession}. */
  constructor(init: DmsgSessionInit) {
    this.localPk = init.localPk;
    this.remotePk = init.keys.remoteStatic;
    this.address = init.address;
    this.objects = new SessionObjectCipher(init.keys);
    this.yamux = new YamuxSession(init.conn, {
      ...init.yamux,
      role: init.role,
      logger: init.logger ?? init.yamux?.logger,
    });
    this.closed = this.yamux.closed.then(() => {});
  }

  /** Whether the session is closed or closing. */
  get isClosed(): boolean {
    return this.yamux.isClosed;
  }

  /**
   * Open a yamux stream (`lazy`: its SYN leaves with the first write, for a caller that writes
   * its request at once); throws {@linkcode DmsgError} 201 when the session is closed.
   */
  async open(options?: OpenOptions): Promise<Stream> {
    try {
      return await this.yamux.open(options);
    } catch (cause) {
      throw new DmsgError(DmsgErrorCode.sessionClosed, { cause });
    }
  }

  /**
   * The next incoming yamux stream (`lazy`: its ACK leaves with the first frame, the answer to
   * its request); `null` once the session is closed.
   */
  accept(options?: AcceptOptions): Promise<Stream | null> {
    return this.yamux.accept(options);
  }

  /** Encrypt a signed object with the session keys and write it to `stream`. */
  async writeObject(stream: ByteStream, signedObject: Uint8Array): Promise<void> {
    await writeAll(stream, this.objects.encryptObject(signedObject));
  }

  /**
   * Read one session object from `stream` and decrypt it; `null` when the stream ends first.
   * Objects longer than 16 KiB are refused before anything is allocated for them. Throws the
   * Noise layer's errors (`NoiseFrameError` for a bad or oversized frame, `NoiseDecryptError`,
   * `NoiseNonceError`), or the stream's own error.
   */
  async readObject(stream: ByteStream): Promise<Uint8Array | null> {
    const prefix = new Uint8Array(FRAME_PREFIX_SIZE);
    try {
      if (!(await readFullOrEof(stream, prefix))) return null;
      const length = (prefix[0] << 8) | prefix[1];
      if (length > MAX_SESSION_OBJECT_LENGTH || length < FRAME_OVERHEAD) {
        throw new NoiseFrameError(
          `dmsg: session object of ${length} bytes outside ${FRAME_OVERHEAD}..${MAX_SESSION_OBJECT_LENGTH}`,
        );
      }
      const frame = new Uint8Array(FRAME_PREFIX_SIZE + length);
      frame.set(prefix);
      await readFull(stream, frame.subarray(FRAME_PREFIX_SIZE));
      return this.objects.decryptObject(frame);
    } catch (error) {
      if (!(error instanceof UnexpectedEofError)) throw error;
      throw new NoiseFrameError("dmsg: stream ended inside a session object", { cause: error });
    }
  }

  /** Measure the round trip with a yamux ping and remember it. */
  async ping(): Promise<number> {
    const rtt = await this.yamux.ping();
    this.latencyMs = rtt;
    return rtt;
  }

  /** Close the session and its connection; resolves when released. Idempotent. */
  async close(): Promise<void> {
    await this.yamux.close();
  }
}

/** Options for {@linkcode dialSession}. */
export interface DialSessionOptions {
  /** The server's `host:port`. */
  address: string;
  /** The server's public key (XK: the initiator knows it). */
  serverPk: PubKey;
  /** Our key pair. */
  keyPair: KeyPair;
  /** TCP connect limit (default 10 s). */
  dialTimeoutMs?: number;
  /** Noise handshake limit (default 5 s). */
  handshakeTimeoutMs?: number;
  /** Abort the dial. */
  signal?: AbortSignal;
  /** Yamux settings. */
  yamux?: DmsgYamuxOptions;
  /** Receives yamux's log lines. */
  logger?: Logger;
}

// A server's `host:port` from its entry or the config (an empty host is this machine).
function dialAddress(address: string): { hostname: string; port: number } {
  const parsed = parseHostPort(address, "127.0.0.1");
  if (!parsed || parsed.port === 0) {
    throw new TypeError(`invalid address "${address}" (want host:port)`);
  }
  return parsed;
}

/**
 * Dial a dmsg server: TCP (10 s, no-delay), Noise XK as initiator (5 s), then yamux as client.
 * A server that sent bytes past its handshake message fails the dial with
 * {@linkcode DmsgError} 203. On any failure the connection is closed.
 */
export async function dialSession(options: DialSessionOptions): Promise<DmsgSession> {
  const timeoutMs = options.dialTimeoutMs ?? SESSION_DIAL_TIMEOUT_MS;
  const conn = await connectTcp({
    ...dialAddress(options.address),
    signal: options.signal,
    timeoutMs,
    onTimeout: () => new Error(`dial ${options.address}: timed out after ${timeoutMs} ms`),
  });
  const onAbort = () => conn.close();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    options.signal?.throwIfAborted();
    const reader = new HandshakeReader(conn);
    const keys = await performHandshake({
      stream: reader,
      pattern: "XK",
      initiator: true,
      localKeyPair: options.keyPair,
      remoteStatic: options.serverPk,
      timeoutMs: options.handshakeTimeoutMs ?? SESSION_HANDSHAKE_TIMEOUT_MS,
    });
    if (reader.buffered > 0) throw new DmsgError(DmsgErrorCode.sessionHandshakeExtraBytes);
    options.signal?.throwIfAborted();
    return new DmsgSession({
      conn,
      keys,
      role: "client",
      localPk: options.keyPair.pk,
      address: options.address,
      yamux: options.yamux,
      logger: options.logger,
    });
  } catch (error) {
    conn.close();
    throw error;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** Options for {@linkcode acceptSession}. */
export interface AcceptSessionOptions {
  /** An accepted TCP connection; closed here if the handshake fails. */
  conn: ByteStream;
  /** The remote `host:port`, for logs. */
  address: string;
  /** Our (the server's) key pair. */
  keyPair: KeyPair;
  /** Noise handshake limit (default 5 s). */
  handshakeTimeoutMs?: number;
  /** Yamux settings. */
  yamux?: DmsgYamuxOptions;
  /** Receives yamux's log lines. */
  logger?: Logger;
}

/**
 * Accept a dmsg session on a server: Noise XK as responder (5 s), then yamux as server. The
 * handshake reads exactly its three messages, so whatever the client sends next is yamux's
 * (Go's bufio-based check for leftover bytes, error 203, is racy against clients that dial a
 * stream at once and is not copied on this side). On failure the connection is closed.
 */
export async function acceptSession(options: AcceptSessionOptions): Promise<DmsgSession> {
  try {
    const keys = await performHandshake({
      stream: options.conn,
      pattern: "XK",
      initiator: false,
      localKeyPair: options.keyPair,
      timeoutMs: options.handshakeTimeoutMs ?? SESSION_HANDSHAKE_TIMEOUT_MS,
    });
    return new DmsgSession({
      conn: options.conn,
      keys,
      role: "server",
      localPk: options.keyPair.pk,
      address: options.address,
      yamux: options.yamux,
      logger: options.logger,
    });
  } catch (error) {
    try {
      options.conn.close();
    } catch {
      // Already closed.
    }
    throw error;
  }
}
