import type { PubKey } from "../cipher/mod.ts";
import type { ByteStream } from "../conn/mod.ts";
import type { Logger } from "../log/mod.ts";
import {
  CloseCode,
  type DecodedPacket,
  decodeHandshakePayload,
  decodePingPayload,
  decodePongPayload,
  encodeClosePayload,
  encodeHandshakePayload,
  encodePacket,
  encodePingPayload,
  encodePongPayload,
  type Handshake,
  MAX_PACKET_PAYLOAD,
  type Packet,
  PacketType,
  type RouteDescriptor,
  type RoutingTable,
  type Rule,
} from "../routing/mod.ts";
import {
  CLOSE_ROUTINE_TIMEOUT_MS,
  ROUTE_GROUP_PING_INTERVAL_MS,
  ROUTE_GROUP_READ_BUFFER,
} from "./constants.ts";
import { RouteGroupClosedError, RouterError } from "./errors.ts";
import { ReadBuffer } from "./_read_buffer.ts";

/** What a route group needs of a transport (a `ManagedTransport` fits). */
export interface RouteTransport {
  /** Transport id (dashed UUID). */
  readonly id: string;
  /** The peer at its other end. */
  readonly remotePk: PubKey;
  /** Transport type (`dmsg`, `stcpr`, …). */
  readonly type: string;
  /** Whether it is closed for good. */
  readonly isClosed: boolean;
  /** Resolves once it is closed for good. */
  readonly closed: Promise<void>;
  /** Write one routing packet. */
  writePacket(packet: Packet | Uint8Array): Promise<void>;
}

/** Transports by id (a `TransportManager` fits). */
export interface RouteTransports {
  /** The transport with this id, if there is one. */
  transport(id: string): RouteTransport | undefined;
}

/** What a {@linkcode RouteGroup} is made of (the router builds it). */
export interface RouteGroupInit {
  /** The group's key: the consume rule's descriptor (source = the peer, destination = us). */
  descriptor: RouteDescriptor;
  /** Our Forward rule: how our packets leave. */
  forward: Rule;
  /** Our Consume rule: how the peer's packets reach us. */
  reverse: Rule;
  /** Whether we dialed (sent the setup request). */
  initiator: boolean;
  /** Where the forward rule's transport is looked up, per packet. */
  transports: RouteTransports;
  /** The table holding the two rules (activity, removal on close). */
  table: RoutingTable;
  /** Unread bytes held before the transport is slowed (default 1 MiB). */
  readBufferBytes?: number;
  /** KeepAlive period when idle (default half the forward rule's keep-alive). */
  keepAliveIntervalMs?: number;
  /** Latency probe period (default 3 s; 0 = off). */
  pingIntervalMs?: number;
  /** How long a close waits for the peer's answer (default 2 s). */
  closeTimeoutMs?: number;
  /** Called once, after the group released its rules. */
  onClosed?: (group: RouteGroup) => void;
  /** Close and keep-alive events. */
  logger?: Logger;
}

/** A snapshot for listings. */
export interface RouteGroupInfo {
  /** Our end: key and port. */
  local: { pk: string; port: number };
  /** The peer's end. */
  remote: { pk: string; port: number };
  /** Key route id of our Forward rule. */
  forwardRouteId: number;
  /** Key route id of our Consume rule. */
  consumeRouteId: number;
  /** Transport our packets leave on. */
  transportId: string;
  /** Whether we dialed. */
  initiator: boolean;
  /** `open`, `closing` or `closed`. */
  state: "open" | "closing" | "closed";
  /** Last latency probe round trip, ms (undefined before the first pong). */
  latencyMs?: number;
  /** Data payload bytes written. */
  bytesSent: number;
  /** Data payload bytes received. */
  bytesReceived: number;
}

/**
 * One end of a route (Go `RouteGroup`): a {@linkcode ByteStream} whose writes become Data
 * packets on the Forward rule's transport (at most 65535 bytes each) and whose reads come from
 * the Data packets the router hands to {@linkcode handlePacket}.
 *
 * - **Service packets**: a KeepAlive when nothing was sent for half the rule keep-alive; a
 *   Ping every 3 s (Unix-millisecond timestamp, Go's unit) whose Pong gives {@linkcode latencyMs};
 *   Pings are answered with Pongs.
 * - **Close** (Go's close loop): `close()` sends Close and waits up to 2 s for the peer's
 *   Close, then removes both rules; unread data is dropped at once. A Close from the peer is
 *   answered with a Close, the rules go, and reads drain what arrived before the end. Either
 *   way the group then calls `onClosed` exactly once, so the router forgets it even when the
 *   close removed the rules itself.
 */
export class RouteGroup implements ByteStream {
  /** The group's key descriptor (source = peer, destination = us). */
  readonly descriptor: RouteDescriptor;
  /** Our Forward rule. */
  readonly forward: Rule;
  /** Our Consume rule. */
  readonly reverse: Rule;
  /** Whether we dialed. */
  readonly initiator: boolean;
  /** The forward transport's id. */
  readonly transportId: string;
  readonly #init: RouteGroupInit;
  readonly #log?: Logger;
  readonly #buffer: ReadBuffer;
  readonly #handshake = Promise.withResolvers<Handshake | null>();
  readonly #closeAnswer = Promise.withResolvers<void>();
  readonly #stopped = Promise.withResolvers<never>(); // rejects the handshake wait on close
  // Writes in flight, failed by close. Not a race against #stopped: every reaction on a promise
  // that stays pending lives as long as it does (~320 B per write for the group's lifetime).
  readonly #writes = new Set<(error: Error) => void>();
  readonly #released = Promise.withResolvers<void>();
  #state: "open" | "closing" | "closed" = "open";
  #localClosed = false;
  #remoteError?: string;
  #timer?: ReturnType<typeof setInterval>;
  #lastSent = performance.now();
  #lastPing = performance.now();
  #recvSincePing = 0;
  #latencyMs?: number;
  #bytesSent = 0;
  #bytesReceived = 0;

  /** Create the group (rules already saved); {@linkcode startServiceLoop} starts its timer. */
  constructor(init: RouteGroupInit) {
    this.#init = init;
    this.descriptor = init.descriptor;
    this.forward = init.forward;
    this.reverse = init.reverse;
    this.initiator = init.initiator;
    this.transportId = init.forward.nextTransportId;
    this.#log = init.logger;
    this.#buffer = new ReadBuffer(init.readBufferBytes ?? ROUTE_GROUP_READ_BUFFER);
    this.#stopped.promise.catch(() => {});
  }

  /** `open`, `closing` (Close sent or being answered) or `closed` (rules released). */
  get state(): "open" | "closing" | "closed" {
    return this.#state;
  }

  /** Resolves once the group has released its rules and the router forgot it. */
  get closed(): Promise<void> {
    return this.#released.promise;
  }

  /** Last latency probe round trip in ms; undefined before the first Pong. */
  get latencyMs(): number | undefined {
    return this.#latencyMs;
  }

  /** The text of an Error packet the peer sent before closing, if any. */
  get remoteError(): string | undefined {
    return this.#remoteError;
  }

  /** A snapshot for listings. */
  info(): RouteGroupInfo {
    const d = this.descriptor;
    return {
      local: { pk: d.dstPkHex, port: d.dstPort },
      remote: { pk: d.srcPkHex, port: d.srcPort },
      forwardRouteId: this.forward.keyRouteId,
      consumeRouteId: this.reverse.keyRouteId,
      transportId: this.transportId,
      initiator: this.initiator,
      state: this.#state,
      latencyMs: this.#latencyMs,
      bytesSent: this.#bytesSent,
      bytesReceived: this.#bytesReceived,
    };
  }

  /** Read what the peer sent; `null` after the peer closed (once drained) or after close. */
  read(p: Uint8Array): Promise<number | null> {
    if (this.#localClosed) return Promise.resolve(null);
    return this.#buffer.read(p);
  }

  /** Send up to 65535 bytes of `p` as one Data packet; resolves to the count sent. */
  async write(p: Uint8Array): Promise<number> {
    if (this.#state !== "open") throw this.#closedError();
    if (p.length === 0) return 0;
    const n = Math.min(p.length, MAX_PACKET_PAYLOAD);
    const bytes = encodePacket({
      type: PacketType.Data,
      routeId: this.forward.nextRouteId,
      payload: p.length === n ? p : p.subarray(0, n),
    });
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#writes.add(reject);
    // When close fails the write first, the send's own outcome is moot.
    this.#send(bytes).then(resolve, reject);
    try {
      await promise;
    } finally {
      this.#writes.delete(reject);
    }
    this.#bytesSent += n;
    return n;
  }

  /**
   * Close: stop reading and writing now, then (in the background) send Close, wait up to 2 s
   * for the answer and release the rules; {@linkcode closed} resolves after. Idempotent.
   */
  close(): void {
    this.#localClosed = true;
    this.#buffer.drop();
    if (this.#state !== "open") return;
    this.#state = "closing";
    this.#stop(new RouteGroupClosedError());
    this.#closeLoop();
  }

  /**
   * Release the rules now, without waiting for the peer's answer: a Close is still sent if the
   * transport is there (our Consume rule is gone, so the answer could not reach us anyway; or
   * the transport is gone). Used for expired or removed rules and closed transports. Reads
   * end; idempotent.
   */
  abandon(reason: string): void {
    this.#localClosed = true;
    this.#buffer.drop();
    if (this.#state === "closed") return;
    this.#log?.debug("route group abandoned", { reason });
    const wasOpen = this.#state === "open";
    this.#state = "closing";
    this.#stop(new RouteGroupClosedError(reason));
    if (wasOpen) this.#sendClose(CloseCode.Requested);
    this.#release();
  }

  /** Send our Handshake packet (1 byte as Go 2024 sends; the 3-byte form with capabilities). */
  async sendHandshake(encrypt: boolean, capabilities?: number): Promise<void> {
    await this.#send(encodePacket({
      type: PacketType.Handshake,
      routeId: this.forward.nextRouteId,
      payload: encodeHandshakePayload({ encrypt, capabilities: capabilities || undefined }),
    }));
  }

  /**
   * The peer's Handshake, or `null` when none came within `timeoutMs` or the peer sent Data
   * first (a visor from before route-group handshakes: no encryption). Rejects once closed.
   */
  async peerHandshake(timeoutMs: number): Promise<Handshake | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((resolve) =>
      timer = setTimeout(() => resolve(null), timeoutMs)
    );
    try {
      return await Promise.race([this.#handshake.promise, timeout, this.#stopped.promise]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Start the KeepAlive and Ping timer (one timer per group). */
  startServiceLoop(): void {
    if (this.#state !== "open" || this.#timer !== undefined) return;
    const keepAlive = this.#keepAliveInterval();
    const ping = this.#init.pingIntervalMs ?? ROUTE_GROUP_PING_INTERVAL_MS;
    const tick = ping > 0 ? Math.min(ping, keepAlive) : keepAlive;
    if (!(tick > 0)) return;
    this.#timer = setInterval(() => this.#serviceTick(keepAlive, ping), tick);
    Deno.unrefTimer(this.#timer);
  }

  /** Whether the group holds a timer (for leak counters). */
  get hasTimer(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * A packet the router matched to our Consume rule. Data resolves once the read buffer has
   * room (slowing the transport); everything else at once.
   */
  handlePacket(packet: DecodedPacket): Promise<void> | void {
    switch (packet.type) {
      case PacketType.Data:
        if (this.#state === "closed" || this.#localClosed) return;
        this.#handshake.resolve(null);
        this.#bytesReceived += packet.payload.length;
        this.#recvSincePing += packet.payload.length;
        return this.#buffer.push(packet.payload.slice());
      case PacketType.Handshake:
        this.#handshake.resolve(decodeHandshakePayload(packet.payload));
        return;
      case PacketType.Close:
        this.#onClose(packet.payload[0] ?? CloseCode.Requested);
        return;
      case PacketType.Ping:
        this.#answerPing(packet.payload);
        return;
      case PacketType.Pong:
        this.#latencyMs = Date.now() - Number(decodePongPayload(packet.payload).timestamp);
        return;
      case PacketType.Error:
        this.#remoteError = new TextDecoder().decode(packet.payload);
        return;
    }
  }

  #keepAliveInterval(): number {
    return this.#init.keepAliveIntervalMs ?? Math.max(this.forward.keepAliveMs / 2, 1);
  }

  #serviceTick(keepAliveMs: number, pingMs: number): void {
    const now = performance.now();
    if (pingMs > 0 && now - this.#lastPing >= pingMs - 1) {
      this.#lastPing = now;
      const seconds = Math.max(pingMs / 1000, 1e-3);
      const throughput = BigInt(Math.floor(this.#recvSincePing / seconds));
      this.#recvSincePing = 0;
      this.#sendService(
        PacketType.Ping,
        encodePingPayload({ timestamp: BigInt(Date.now()), throughput }),
      );
    }
    if (now - this.#lastSent >= keepAliveMs - 1) {
      this.#sendService(PacketType.KeepAlive, new Uint8Array(0));
    }
  }

  #answerPing(payload: Uint8Array): void {
    const { timestamp } = decodePingPayload(payload);
    this.#sendService(PacketType.Pong, encodePongPayload({ timestamp }));
  }

  #sendService(type: number, payload: Uint8Array): void {
    if (this.#state !== "open") return;
    this.#send(encodePacket({ type, routeId: this.forward.nextRouteId, payload })).catch(
      (error) =>
        this.#log?.debug("route group service packet not sent", { type, error: String(error) }),
    );
  }

  // Write one encoded packet on the forward transport and count it as activity of our rule.
  async #send(bytes: Uint8Array): Promise<void> {
    const tp = this.#init.transports.transport(this.transportId);
    if (!tp || tp.isClosed) throw new RouterError(`transport ${this.transportId} is gone`);
    await tp.writePacket(bytes);
    this.#lastSent = performance.now();
    this.#init.table.touch(this.forward.keyRouteId);
  }

  #onClose(code: number): void {
    if (this.#state === "closing") {
      this.#closeAnswer.resolve(); // the peer answered our Close
      return;
    }
    if (this.#state === "closed") return;
    this.#log?.debug("route group closed by the remote", { code });
    this.#state = "closing";
    this.#buffer.end(); // what arrived before the Close is still read
    const reason = this.#remoteError
      ? `route group closed by the remote: ${this.#remoteError}`
      : "route group closed by the remote";
    this.#stop(new RouteGroupClosedError(reason));
    this.#sendClose(code); // the answer; it needs no rule of ours, so they go now
    this.#release();
  }

  // The Close and the wait for its answer share one limit: a Close stuck behind a transport
  // the peer no longer reads must not hold the rules forever.
  async #closeLoop(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = this.#init.closeTimeoutMs ?? CLOSE_ROUTINE_TIMEOUT_MS;
    const answered = this.#sendClose(CloseCode.Requested).then(() => this.#closeAnswer.promise);
    await Promise.race([
      answered,
      new Promise<void>((resolve) => timer = setTimeout(resolve, timeout)),
    ]);
    clearTimeout(timer);
    this.#release();
  }

  async #sendClose(code: number): Promise<void> {
    try {
      await this.#send(encodePacket({
        type: PacketType.Close,
        routeId: this.forward.nextRouteId,
        payload: encodeClosePayload(code),
      }));
    } catch (error) {
      this.#log?.debug("close packet not sent", { error: String(error) });
      this.#closeAnswer.resolve(); // nobody can answer a Close that never left
    }
  }

  // Stop the timer, fail pending writes and handshake waits; reads are the caller's business.
  #stop(error: Error): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const reject of this.#writes) reject(error);
    this.#writes.clear();
    this.#stopped.reject(error);
  }

  #release(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#buffer.end();
    const table = this.#init.table;
    table.deleteRule(this.forward.keyRouteId, this.forward);
    table.deleteRule(this.reverse.keyRouteId, this.reverse);
    try {
      this.#init.onClosed?.(this);
    } finally {
      this.#released.resolve();
    }
  }

  #closedError(): RouteGroupClosedError {
    const reason = this.#remoteError
      ? `route group closed by the remote: ${this.#remoteError}`
      : this.#localClosed
      ? "route group is closed"
      : "route group closed by the remote";
    return new RouteGroupClosedError(reason);
  }
}
