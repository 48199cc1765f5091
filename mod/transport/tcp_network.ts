import type { KeyPair, PubKey } from "../cipher/mod.ts";
import { Porter } from "../dmsg/mod.ts";
import type { Logger } from "../log/mod.ts";
import { connectTcp, TcpStream } from "../conn/mod.ts";
import { splitHostPort } from "../netutil/mod.ts";
import { closeQuietly } from "./_deadline.ts";
import { ConnListener } from "./conn_listener.ts";
import { encryptStream } from "./encrypt.ts";
import { AddressNotFoundError, TransportClosedError, TransportError } from "./errors.ts";
import type {
  NetworkDialOptions,
  TransportConn,
  TransportListener,
  TransportNetwork,
} from "./network.ts";
import { initiatorHandshake, responderHandshake } from "./network_handshake.ts";
import { TcpTransportConn } from "./tcp_conn.ts";

/** Where a {@linkcode TcpNetwork} accepts TCP connections. */
export interface TcpListenAddress {
  /** Interface to bind (default `0.0.0.0`). */
  hostname?: string;
  /** TCP port (0 = any). */
  port: number;
}

/** Options for {@linkcode TcpNetwork}. */
export interface TcpNetworkOptions {
  /** `stcp` or `stcpr`. */
  type: string;
  /** Our keys. */
  keyPair: KeyPair;
  /** Where to accept; without it the network only dials. */
  listen?: TcpListenAddress;
  /** On "address in use", try the next port up to this many times (Go stcpr keeps trying). */
  listenPortRetries?: number;
  /** The `host:port` addresses to try, in order, for a peer. Throw if there are none. */
  addressesOf: (pk: PubKey, signal?: AbortSignal) => Promise<string[]>;
  /** Called (not awaited) once listening, with the bound address (stcpr binds to the AR here). */
  onListening?: (addr: Deno.NetAddr) => Promise<void>;
  /** TCP connect limit per address, ms (default 10 s). */
  dialTimeoutMs?: number;
  /** Network handshake limit, ms (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Noise KK limit, ms (default 5 s). */
  encryptTimeoutMs?: number;
  /** Inbound connections in handshake at once; more are closed at once (default 64). */
  maxPendingHandshakes?: number;
  /** Connections a port listener holds before they are accepted (default 32). */
  listenerBacklog?: number;
  /** One line per refused or failed connection. */
  logger?: Logger;
}

const DIAL_TIMEOUT_MS = 10_000;

/**
 * The TCP transport network shared by stcp and stcpr (Go `genericClient`): dialing connects
 * to the peer's addresses in order, runs the network handshake as initiator (from an ephemeral
 * skywire port) and wraps the connection in Noise KK; accepting runs the responder side, checks
 * that the skywire port has a listener, and hands the connection to it. Inbound handshakes are
 * bounded in number and time; a failed one closes its connection and the loop goes on.
 */
export class TcpNetwork implements TransportNetwork {
  /** `stcp` or `stcpr`. */
  readonly type: string;
  readonly #o: TcpNetworkOptions;
  readonly #log?: Logger;
  readonly #ports = new Porter<object>();
  readonly #listeners = new Map<number, ConnListener>();
  readonly #abort = new AbortController();
  readonly #tasks = new Set<Promise<void>>();
  #tcp?: Deno.TcpListener;
  #acceptLoop?: Promise<void>;
  #starting?: Promise<void>;
  #closed = false;

  /** Create the network; call {@linkcode start} to accept. */
  constructor(options: TcpNetworkOptions) {
    this.type = options.type;
    this.#o = options;
    this.#log = options.logger?.child(options.type);
  }

  /** Our key. */
  get localPk(): PubKey {
    return this.#o.keyPair.pk;
  }

  /** The bound TCP address once started with `listen`. */
  get listenAddr(): Deno.NetAddr | undefined {
    return this.#tcp?.addr as Deno.NetAddr | undefined;
  }

  /** Inbound connections in handshake, for leak tests. */
  get pendingHandshakes(): number {
    return this.#tasks.size;
  }

  /** Bind and start accepting (no-op without `listen`). Idempotent. */
  start(): Promise<void> {
    if (!this.#starting) {
      try {
        this.#start();
        this.#starting = Promise.resolve();
      } catch (error) {
        this.#starting = Promise.reject(error);
      }
    }
    return this.#starting;
  }

  #start(): void {
    if (this.#closed) throw new TransportClosedError(`${this.type} network`);
    const listen = this.#o.listen;
    if (!listen) return;
    const retries = this.#o.listenPortRetries ?? 0;
    for (let attempt = 0;; attempt++) {
      const port = listen.port === 0 ? 0 : listen.port + attempt;
      try {
        this.#tcp = Deno.listen({ hostname: listen.hostname ?? "0.0.0.0", port });
        break;
      } catch (error) {
        if (!(error instanceof Deno.errors.AddrInUse) || attempt >= retries || port === 0) {
          throw error;
        }
        this.#log?.warn("port in use, trying the next", { port });
      }
    }
    const addr = this.#tcp.addr as Deno.NetAddr;
    this.#log?.debug("listening", { addr: `${addr.hostname}:${addr.port}` });
    this.#acceptLoop = this.#accept(this.#tcp);
    this.#o.onListening?.(addr).catch((error) =>
      this.#log?.warn("announcing the listening address failed", { error: String(error) })
    );
  }

  /** Listen on skywire `port`; throws {@linkcode TransportError} when it is taken. */
  listen(port: number): TransportListener {
    if (this.#closed) throw new TransportClosedError(`${this.type} network`);
    if (this.#listeners.has(port)) throw new TransportError("port is already occupied");
    const listener = new ConnListener({
      port,
      backlog: this.#o.listenerBacklog,
      onClose: (closed) => {
        if (this.#listeners.get(port) === closed) this.#listeners.delete(port);
      },
    });
    this.#listeners.set(port, listener);
    return listener;
  }

  /**
   * Dial `remote` on skywire `port`: its addresses in order until one accepts TCP, then the
   * handshakes on that one (their failure is final, as in Go). Throws
   * {@linkcode AddressNotFoundError}, the connect error, or {@linkcode NetworkHandshakeError}.
   */
  async dial(
    remote: PubKey,
    port: number,
    options: NetworkDialOptions = {},
  ): Promise<TransportConn> {
    if (this.#closed) throw new TransportClosedError(`${this.type} network`);
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.#abort.signal])
      : this.#abort.signal;
    const addresses = await this.#o.addressesOf(remote, signal);
    if (addresses.length === 0) throw new AddressNotFoundError(`no address for ${remote.hex()}`);
    let lastError: unknown;
    for (const address of addresses) {
      signal.throwIfAborted();
      let raw: TcpStream;
      try {
        raw = await connect(address, this.#o.dialTimeoutMs ?? DIAL_TIMEOUT_MS, signal);
      } catch (error) {
        lastError = error;
        continue;
      }
      return await this.#dialed(raw, address, { pk: remote, port }, signal);
    }
    throw lastError;
  }

  async #dialed(
    raw: TcpStream,
    address: string,
    remote: { pk: PubKey; port: number },
    signal: AbortSignal,
  ): Promise<TransportConn> {
    const owner = {};
    let ephemeral: { port: number; release: () => void };
    try {
      ephemeral = this.#ports.reserveEphemeral(owner);
    } catch (error) {
      raw.close();
      throw error;
    }
    try {
      const { localAddr, remoteAddr } = await initiatorHandshake({
        stream: raw,
        keyPair: this.#o.keyPair,
        localPort: ephemeral.port,
        remote,
        timeoutMs: this.#o.handshakeTimeoutMs,
        signal,
      });
      const inner = await encryptStream({
        stream: raw,
        keyPair: this.#o.keyPair,
        remotePk: remote.pk,
        initiator: true,
        timeoutMs: this.#o.encryptTimeoutMs,
        signal,
      });
      return new TcpTransportConn({
        inner,
        type: this.type,
        localAddr,
        remoteAddr,
        initiator: true,
        remoteRawAddr: address,
        release: ephemeral.release,
      });
    } catch (error) {
      ephemeral.release();
      throw error;
    }
  }

  async #accept(tcp: Deno.TcpListener): Promise<void> {
    const max = this.#o.maxPendingHandshakes ?? 64;
    for (;;) {
      let raw: TcpStream;
      try {
        raw = new TcpStream(await tcp.accept());
      } catch (error) {
        if (this.#closed || error instanceof Deno.errors.BadResource) return;
        // Out of descriptors and the like: wait a little rather than spin.
        this.#log?.warn("accept failed", { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      if (this.#tasks.size >= max) {
        this.#log?.warn("too many handshakes in progress; connection refused");
        raw.close();
        continue;
      }
      const task: Promise<void> = this.#acceptOne(raw).finally(() => this.#tasks.delete(task));
      this.#tasks.add(task);
    }
  }

  async #acceptOne(raw: TcpStream): Promise<void> {
    const peer = raw.remoteAddr;
    const remoteRawAddr = `${peer.hostname}:${peer.port}`;
    try {
      raw.setNoDelay(true);
      const signal = this.#abort.signal;
      const { localAddr, remoteAddr } = await responderHandshake({
        stream: raw,
        localPk: this.#o.keyPair.pk,
        checkPort: (port) => this.#listeners.has(port) ? undefined : "not listening on given port",
        timeoutMs: this.#o.handshakeTimeoutMs,
        signal,
      });
      const inner = await encryptStream({
        stream: raw,
        keyPair: this.#o.keyPair,
        remotePk: remoteAddr.pk,
        initiator: false,
        timeoutMs: this.#o.encryptTimeoutMs,
        signal,
      });
      const conn = new TcpTransportConn({
        inner,
        type: this.type,
        localAddr,
        remoteAddr,
        initiator: false,
        remoteRawAddr,
      });
      if (!this.#listeners.get(localAddr.port)?.introduce(conn)) {
        this.#log?.warn("no room for an accepted connection", { port: localAddr.port });
        conn.close();
      }
    } catch (error) {
      raw.close();
      this.#log?.debug("inbound handshake failed", { from: remoteRawAddr, error: String(error) });
    }
  }

  /** Stop accepting, abort inbound handshakes, close listeners. Dialed connections stay open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort(new TransportClosedError(`${this.type} network`));
    if (this.#tcp) closeQuietly(this.#tcp);
    for (const listener of [...this.#listeners.values()]) listener.close();
    await this.#acceptLoop;
    await Promise.allSettled([...this.#tasks]);
  }
}

/** Connect to `host:port` within `timeoutMs`; a connection that completes too late is closed. */
async function connect(
  address: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<TcpStream> {
  const parts = splitHostPort(address);
  const port = Number(parts?.port);
  if (!parts || !Number.isInteger(port) || port <= 0 || port > 0xffff) {
    throw new AddressNotFoundError(`invalid address "${address}"`);
  }
  return await connectTcp({
    hostname: parts.host || "127.0.0.1",
    port,
    signal,
    timeoutMs,
    onTimeout: () => new TransportError(`connect ${address}: timed out`),
  });
}
