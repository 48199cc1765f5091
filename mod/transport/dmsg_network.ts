import type { PubKey } from "../cipher/mod.ts";
import type { DmsgAddr, DmsgClient, DmsgListener, DmsgStream } from "../dmsg/mod.ts";
import { TransportType } from "./constants.ts";
import { TransportClosedError } from "./errors.ts";
import type {
  NetworkDialOptions,
  TransportConn,
  TransportListener,
  TransportNetwork,
} from "./network.ts";

/** The parts of a {@linkcode DmsgClient} the dmsg network uses. */
export type DmsgTransportClient = Pick<DmsgClient, "pk" | "dialStream" | "listen">;

/** A dmsg stream as a transport connection (Go `dmsgTransportAdapter`). */
class DmsgTransportConn implements TransportConn {
  readonly type = TransportType.dmsg;
  readonly localAddr: DmsgAddr;
  readonly remoteAddr: DmsgAddr;
  readonly initiator: boolean;
  readonly #stream: DmsgStream;

  constructor(stream: DmsgStream, initiator: boolean) {
    this.#stream = stream;
    this.localAddr = stream.localAddr;
    this.remoteAddr = stream.remoteAddr;
    this.initiator = initiator;
  }

  read(p: Uint8Array): Promise<number | null> {
    return this.#stream.read(p);
  }

  write(p: Uint8Array): Promise<number> {
    return this.#stream.write(p);
  }

  closeWrite(): Promise<void> {
    return this.#stream.closeWrite();
  }

  close(): void {
    this.#stream.close();
  }
}

class DmsgTransportListener implements TransportListener {
  readonly port: number;
  readonly #inner: DmsgListener;
  readonly #onClose: (listener: DmsgTransportListener) => void;

  constructor(inner: DmsgListener, onClose: (listener: DmsgTransportListener) => void) {
    this.#inner = inner;
    this.port = inner.addr.port;
    this.#onClose = onClose;
  }

  async accept(): Promise<TransportConn | null> {
    const stream = await this.#inner.accept();
    return stream === null ? null : new DmsgTransportConn(stream, false);
  }

  close(): void {
    this.#inner.close();
    this.#onClose(this);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TransportConn> {
    for (;;) {
      const conn = await this.accept();
      if (conn === null) return;
      yield conn;
    }
  }
}

/**
 * The `dmsg` network (Go `dmsgClientAdapter`): a transport connection is a dmsg stream to the
 * peer's port, already end-to-end Noise KK, so there is no `get_nonce` handshake and no second
 * Noise layer. The dmsg client is shared with the rest of the visor: closing this network closes
 * only the listeners it opened, never the client.
 */
export class DmsgNetwork implements TransportNetwork {
  /** Always `dmsg`. */
  readonly type: string = TransportType.dmsg;
  readonly #client: DmsgTransportClient;
  readonly #listeners = new Set<DmsgTransportListener>();
  #closed = false;

  /** Use `client` (started by its owner). */
  constructor(client: DmsgTransportClient) {
    this.#client = client;
  }

  /** Our key. */
  get localPk(): PubKey {
    return this.#client.pk;
  }

  /** Nothing to start: the dmsg client is already serving. */
  start(): Promise<void> {
    return Promise.resolve();
  }

  /** Dial a dmsg stream to `remote` on `port`. Throws the dmsg client's `DmsgError`. */
  async dial(
    remote: PubKey,
    port: number,
    options: NetworkDialOptions = {},
  ): Promise<TransportConn> {
    if (this.#closed) throw new TransportClosedError("dmsg network");
    const stream = await this.#client.dialStream({ pk: remote, port }, { signal: options.signal });
    return new DmsgTransportConn(stream, true);
  }

  /** Listen on dmsg `port` (throws `DmsgError` 400 when taken). */
  listen(port: number): TransportListener {
    if (this.#closed) throw new TransportClosedError("dmsg network");
    const listener = new DmsgTransportListener(
      this.#client.listen(port),
      (closed) => this.#listeners.delete(closed),
    );
    this.#listeners.add(listener);
    return listener;
  }

  /** Close the listeners opened here; the dmsg client stays up. */
  close(): Promise<void> {
    this.#closed = true;
    for (const listener of [...this.#listeners]) listener.close();
    return Promise.resolve();
  }
}
