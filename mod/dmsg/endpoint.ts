import type { KeyPair, PubKey } from "../cipher/mod.ts";
import { sha256 } from "../cipher/mod.ts";
import type { Logger } from "../log/mod.ts";
import { Handshake, StaticDhCache } from "../noise/mod.ts";
import type { Stream } from "../yamux/mod.ts";
import { type DmsgAddr, formatAddr } from "./addr.ts";
import {
  ACCEPT_BUFFER_SIZE,
  STREAM_HANDSHAKE_TIMEOUT_MS,
  STREAM_IDLE_TIMEOUT_MS,
} from "./constants.ts";
import { nowNanos } from "./disc/mod.ts";
import { DmsgError, DmsgErrorCode } from "./errors.ts";
import { isExpectedFailure } from "./expected_errors.ts";
import { type DmsgListener, PortListener } from "./listener.ts";
import { Porter } from "./porter.ts";
import type { DmsgSession } from "./session.ts";
import {
  signStreamRequest,
  signStreamResponse,
  type VerifiedStreamRequest,
  verifyStreamRequest,
  verifyStreamResponse,
} from "./signed_object.ts";
import { SessionStream } from "./stream.ts";

/** Options for {@linkcode StreamEndpoint}. */
export interface StreamEndpointOptions {
  /** Our key pair (KK static, request/response signatures). */
  keyPair: KeyPair;
  /** Streams a listener holds before they are accepted (default 256). */
  acceptBuffer?: number;
  /** Idle timeout of streams (default 2 min; 0 disables). */
  idleTimeoutMs?: number;
  /** Whole stream handshake limit (default 5 s). */
  handshakeTimeoutMs?: number;
  /** One debug line per stream. */
  logger?: Logger;
  /**
   * Peers whose KK static-static DH is remembered, saving one of the four DHs of a stream open
   * to them (default 128, ~380 bytes each; 0 disables).
   */
  staticDhCacheSize?: number;
}

/** Per-dial options for {@linkcode StreamEndpoint.dial}. */
export interface EndpointDialOptions {
  /** Abort the dial. */
  signal?: AbortSignal;
}

/** Counters for leak tests. */
export interface StreamEndpointStats {
  /** Ports held (listeners plus dialed streams). */
  ports: number;
  /** Open listeners. */
  listeners: number;
  /** Open streams (dialed and accepted, queued or handed out). */
  streams: number;
  /** Stream handshakes in progress (both directions). */
  handshakes: number;
  /** Armed timers (idle and handshake). */
  timers: number;
}

/**
 * The stream side of a dmsg entity (client, or a server answering streams to itself): the port
 * table, listeners, dialing streams over a session (KK initiator) and answering them (KK
 * responder). Every stream it makes is tracked until it closes, and closed when its session
 * dies, so ports come back on every path.
 */
export class StreamEndpoint {
  readonly #keyPair: KeyPair;
  readonly #acceptBuffer: number;
  readonly #idleMs: number;
  readonly #handshakeMs: number;
  readonly #log: Logger | undefined;
  readonly #staticDh: StaticDhCache;
  readonly #porter = new Porter<object>();
  readonly #streams = new Map<SessionStream, DmsgSession | undefined>();
  readonly #bySession = new Map<DmsgSession, Set<SessionStream>>();
  readonly #listeners = new Set<PortListener>();
  #handshakes = 0;
  #closed = false;

  /** Create an endpoint with an empty port table. */
  constructor(options: StreamEndpointOptions) {
    this.#keyPair = options.keyPair;
    this.#acceptBuffer = options.acceptBuffer ?? ACCEPT_BUFFER_SIZE;
    this.#idleMs = options.idleTimeoutMs ?? STREAM_IDLE_TIMEOUT_MS;
    this.#handshakeMs = options.handshakeTimeoutMs ?? STREAM_HANDSHAKE_TIMEOUT_MS;
    this.#log = options.logger;
    this.#staticDh = new StaticDhCache(options.staticDhCacheSize);
  }

  /** Our public key. */
  get pk(): PubKey {
    return this.#keyPair.pk;
  }

  /** Counters for leak tests. */
  stats(): StreamEndpointStats {
    let timers = this.#handshakes;
    for (const stream of this.#streams.keys()) if (stream.hasTimer) timers++;
    return {
      ports: this.#porter.size,
      listeners: this.#listeners.size,
      streams: this.#streams.size,
      handshakes: this.#handshakes,
      timers,
    };
  }

  /** Listen on `port`; throws {@linkcode DmsgError} 400 if it is taken, 200 once closed. */
  listen(port: number): DmsgListener {
    if (this.#closed) throw new DmsgError(DmsgErrorCode.entityClosed);
    const listener = new PortListener({
      addr: { pk: this.#keyPair.pk, port },
      acceptBuffer: this.#acceptBuffer,
    });
    const release = this.#porter.reserve(port, listener);
    this.#listeners.add(listener);
    listener.onClose = () => {
      release();
      this.#listeners.delete(listener);
    };
    return listener;
  }

  /**
   * Dial `remote` through `session`: reserve an ephemeral port, send a signed request carrying
   * KK message 1, check the signed response, and return the encrypted stream. Throws
   * {@linkcode DmsgError} (the response's code, 306 when the stream ended without an answer,
   * a timeout after the handshake limit), a Noise error for a bad KK message, or the signal's
   * reason. Nothing is left behind on failure.
   */
  async dial(
    session: DmsgSession,
    remote: DmsgAddr,
    options: EndpointDialOptions = {},
  ): Promise<SessionStream> {
    if (this.#closed) throw new DmsgError(DmsgErrorCode.entityClosed);
    options.signal?.throwIfAborted();
    const token = {};
    const { port, release } = this.#porter.reserveEphemeral(token);
    const local: DmsgAddr = { pk: this.#keyPair.pk, port };
    let inner: Stream | undefined;
    let expired = false;
    const abort = () => inner?.reset();
    const timer = setTimeout(() => {
      expired = true;
      abort();
    }, this.#handshakeMs);
    options.signal?.addEventListener("abort", abort, { once: true });
    this.#handshakes++;
    try {
      inner = await session.open({ lazy: true }); // the SYN goes out with the request
      if (expired || options.signal?.aborted) abort();
      const handshake = new Handshake({
        pattern: "KK",
        initiator: true,
        localKeyPair: this.#keyPair,
        remoteStatic: remote.pk,
        staticDh: this.#staticDh,
      });
      const signed = signStreamRequest({
        Timestamp: nowNanos(),
        SrcAddr: { PK: local.pk, Port: local.port },
        DstAddr: { PK: remote.pk, Port: remote.port },
        NoiseMsg: handshake.writeMessage(),
      }, this.#keyPair.sk);
      const request = verifiedOwnRequest(signed, local, remote);
      await session.writeObject(inner, signed);
      const answer = await session.readObject(inner);
      if (answer === null) {
        throw new DmsgError(DmsgErrorCode.requestNoListener, {
          detail: "stream ended without a response (no listener, or no route to the destination)",
        });
      }
      const response = verifyStreamResponse(answer, request);
      handshake.readMessage(response.NoiseMsg);
      if (this.#closed || session.isClosed) throw new DmsgError(DmsgErrorCode.sessionClosed);
      const stream = new SessionStream({
        inner,
        keys: handshake.transportKeys(),
        localAddr: local,
        remoteAddr: { pk: remote.pk, port: remote.port },
        serverPk: session.remotePk,
        idleTimeoutMs: this.#idleMs,
        onClose: (closed) => {
          release();
          this.#forget(closed);
        },
      });
      this.#track(stream, session);
      this.#log?.debug("stream dialed", { local: local.port, remote: formatAddr(remote) });
      return stream;
    } catch (error) {
      inner?.reset();
      release();
      if (options.signal?.aborted) throw options.signal.reason;
      if (expired) {
        throw new DmsgError(DmsgErrorCode.cannotConnectToDelegated, {
          detail: `stream handshake did not finish within ${this.#handshakeMs} ms`,
          timeout: true,
          cause: error,
        });
      }
      throw error;
    } finally {
      this.#handshakes--;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", abort);
    }
  }

  /**
   * Answer a stream the server opened on a client session: read and verify the request (it
   * must be for our key), then {@linkcode answer} it. Never throws: a bad or unanswerable
   * request ends the stream (no response, as Go does) with a debug line.
   */
  async serveIncoming(session: DmsgSession, inner: Stream): Promise<void> {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      inner.reset();
    }, this.#handshakeMs);
    this.#handshakes++;
    try {
      const signed = await session.readObject(inner);
      if (signed === null) {
        inner.close();
        return;
      }
      const request = verifyStreamRequest(signed);
      if (!request.request.DstAddr.PK.equals(this.#keyPair.pk)) {
        throw new DmsgError(DmsgErrorCode.requestInvalidDstPk);
      }
      await this.#answer(request, inner, (obj) => session.writeObject(inner, obj), session);
    } catch (error) {
      if (!expired && !isExpectedFailure(error)) {
        this.#log?.error("unexpected error answering a stream", { error });
      } else {
        this.#log?.debug("incoming stream refused", {
          error: expired ? "stream handshake timed out" : error,
        });
      }
      inner.close();
    } finally {
      this.#handshakes--;
      clearTimeout(timer);
    }
  }

  /**
   * Answer a verified request addressed to us (used by a server for streams to itself):
   * KK responder, signed response, stream handed to the listener on the destination port.
   * Throws {@linkcode DmsgError} 306 when nobody listens (the caller ends the stream without a
   * response), 401 when the listener's queue is full (after the response went out).
   */
  async answer(
    request: VerifiedStreamRequest,
    inner: Stream,
    writeObject: (signedObject: Uint8Array) => Promise<void>,
    serverPk: PubKey,
  ): Promise<void> {
    this.#handshakes++;
    try {
      await this.#answer(request, inner, writeObject, undefined, serverPk);
    } finally {
      this.#handshakes--;
    }
  }

  async #answer(
    verified: VerifiedStreamRequest,
    inner: Stream,
    writeObject: (signedObject: Uint8Array) => Promise<void>,
    session: DmsgSession | undefined,
    serverPk: PubKey = session!.remotePk,
  ): Promise<void> {
    if (this.#closed) throw new DmsgError(DmsgErrorCode.entityClosed);
    const { request } = verified;
    const listener = this.#porter.get(request.DstAddr.Port);
    if (!(listener instanceof PortListener) || listener.isClosed) {
      throw new DmsgError(DmsgErrorCode.requestNoListener);
    }
    const handshake = new Handshake({
      pattern: "KK",
      initiator: false,
      localKeyPair: this.#keyPair,
      remoteStatic: request.SrcAddr.PK,
      staticDh: this.#staticDh,
    });
    handshake.readMessage(request.NoiseMsg);
    const response = signStreamResponse({
      ReqHash: sha256(verified.signed),
      Accepted: true,
      ErrCode: 0,
      NoiseMsg: handshake.writeMessage(),
    }, this.#keyPair.sk);
    await writeObject(response);
    if (this.#closed || session?.isClosed) throw new DmsgError(DmsgErrorCode.sessionClosed);
    const stream = new SessionStream({
      inner,
      keys: handshake.transportKeys(),
      localAddr: { pk: request.DstAddr.PK, port: request.DstAddr.Port },
      remoteAddr: { pk: request.SrcAddr.PK, port: request.SrcAddr.Port },
      serverPk,
      idleTimeoutMs: this.#idleMs,
      onClose: (closed) => this.#forget(closed),
    });
    this.#track(stream, session);
    if (!listener.introduce(stream)) {
      stream.close();
      throw new DmsgError(
        listener.isClosed ? DmsgErrorCode.entityClosed : DmsgErrorCode.acceptChanMaxed,
      );
    }
    this.#log?.debug("stream accepted", {
      port: request.DstAddr.Port,
      remote: `${request.SrcAddr.PK.hex()}:${request.SrcAddr.Port}`,
    });
  }

  #track(stream: SessionStream, session: DmsgSession | undefined): void {
    this.#streams.set(stream, session);
    if (!session) return;
    let set = this.#bySession.get(session);
    if (!set) {
      // One watcher per session (the entry lives as long as the session): a dead session
      // takes its streams, and their ports, with it, read or not.
      set = new Set();
      this.#bySession.set(session, set);
      session.closed.then(() => {
        const streams = this.#bySession.get(session);
        this.#bySession.delete(session);
        for (const s of streams ?? []) s.close();
      });
    }
    set.add(stream);
  }

  #forget(stream: SessionStream): void {
    const session = this.#streams.get(stream);
    this.#streams.delete(stream);
    if (session) this.#bySession.get(session)?.delete(stream);
  }

  /** Close every listener and stream; later dials and listens throw 200. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#staticDh.clear();
    for (const listener of [...this.#listeners]) listener.close();
    for (const stream of [...this.#streams.keys()]) stream.close();
  }
}

// Our own request, wrapped as verified without spending a signature check on it.
function verifiedOwnRequest(
  signed: Uint8Array,
  local: DmsgAddr,
  remote: DmsgAddr,
): VerifiedStreamRequest {
  return {
    signed,
    request: {
      Timestamp: 0n,
      SrcAddr: { PK: local.pk, Port: local.port },
      DstAddr: { PK: remote.pk, Port: remote.port },
      NoiseMsg: new Uint8Array(0),
    },
  };
}
