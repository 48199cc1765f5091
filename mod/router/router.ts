import type { KeyPair, PubKey } from "../cipher/mod.ts";
import { DmsgError, Porter } from "../dmsg/mod.ts";
import type { Logger } from "../log/mod.ts";
import {
  type DecodedPacket,
  RouteDescriptor,
  type RouteId,
  routingGob,
  RoutingTable,
  Rule,
  RuleType,
} from "../routing/mod.ts";
import { DEFAULT_RULES_GC_INTERVAL_MS } from "../routing/mod.ts";
import {
  type DispatchContext,
  dispatchPacket,
  newPacketCounters,
  type PacketCounters,
} from "./_dispatch.ts";
import { establishGroup } from "./_establish.ts";
import { InvalidRulesError, RouteGroupClosedError, RouterError } from "./errors.ts";
import { RouteListener } from "./listener.ts";
import type { RouteConn } from "./route_conn.ts";
import {
  RouteGroup,
  type RouteGroupInfo,
  type RouteTransport,
  type RouteTransports,
} from "./route_group.ts";

/** Options for {@linkcode Router}. */
export interface RouterOptions {
  /** Our keys (route-group Noise). */
  keyPair: KeyPair;
  /** Our transports (a `TransportManager`). */
  transports: RouteTransports;
  /** Refuse intermediary rules and relaying (`routing.no_transit`). */
  noTransit?: boolean;
  /** Offer Noise KK inside route groups (default true, as Go). */
  encrypt?: boolean;
  /** Idle-rule sweep period, ms (default 10 s; 0 = no timer, tests sweep by hand). */
  gcIntervalMs?: number;
  /** Wait for the peer's Handshake, ms (default 2 s). */
  handshakeTimeoutMs?: number;
  /** How long a close waits for the peer's Close, ms (default 2 s). */
  closeTimeoutMs?: number;
  /** Route-group latency probe period, ms (default 3 s; 0 = off). */
  pingIntervalMs?: number;
  /** KeepAlive period of idle groups, ms (default half the rule keep-alive). */
  keepAliveIntervalMs?: number;
  /** Unread bytes a group holds before it slows its transport (default 1 MiB). */
  readBufferBytes?: number;
  /** Millisecond clock of the routing table (tests). */
  now?: () => number;
  /** Route, rule and drop events. */
  logger?: Logger;
}

/** Counters for leak tests: all fall back to 0 (or the listeners kept) when idle. */
export interface RouterStats {
  /** Rules in the table. */
  rules: number;
  /** Reserved route ids without a rule yet. */
  pendingReservations: number;
  /** Route groups, any state. */
  groups: number;
  /** Route groups holding a service timer. */
  groupTimers: number;
  /** Route groups still in their handshake. */
  establishing: number;
  /** Route listeners. */
  listeners: number;
  /** Route ports held (listeners and dialed groups). */
  ports: number;
  /** Transports watched for their close. */
  watchedTransports: number;
  /** Packet counters. */
  packets: PacketCounters;
}

/** Options for {@linkcode Router.openGroup}. */
export interface OpenGroupOptions {
  /** Frees the local port the dial reserved; called when the group closes (or setup fails). */
  releasePort?: () => void;
}

/**
 * A visor's router (Go `router`): the routing table, the route groups of our apps, and the
 * packets our transports hand over (pass {@linkcode handlePacket} as the transport manager's
 * `onPacket`).
 *
 * - **Setup side** (what the `RPCGateway` calls): {@linkcode reserveIds},
 *   {@linkcode addIntermediaryRules} (refused with `noTransit`), {@linkcode introduceEdgeRules}
 *   (we are the destination: the group is created and, after its handshake, handed to the
 *   listener on its port).
 * - **Dial side**: {@linkcode openGroup} installs the edge rules a setup node returned and runs
 *   the handshake as initiator. Route finding and the setup call are `RouteDialer`'s.
 * - **Upkeep**: every sweep removes rules idle past their keep-alive, closes the groups whose
 *   Consume rule went (by expiry, a Close, or removal), and forgets groups that closed
 *   themselves. A transport that closes for good takes the groups that send on it, and the
 *   intermediary rules that point at it, along.
 */
export class Router {
  /** Our key. */
  readonly pk: PubKey;
  /** The routing table. */
  readonly table: RoutingTable;
  readonly #o: RouterOptions;
  readonly #log?: Logger;
  readonly #groups = new Map<string, RouteGroup>(); // by descriptor key
  readonly #byConsume = new Map<RouteId, RouteGroup>(); // by consume rule key
  readonly #establishing = new Set<Promise<unknown>>();
  readonly #ports = new Porter<unknown>();
  readonly #listeners = new Map<number, RouteListener>();
  readonly #watched = new Map<string, RouteTransport>();
  readonly #counters = newPacketCounters();
  readonly #dispatch: DispatchContext;
  #timer?: ReturnType<typeof setInterval>;
  #closing?: Promise<void>;

  /** Create the router; it starts its sweep timer (unless `gcIntervalMs` is 0). */
  constructor(options: RouterOptions) {
    this.#o = options;
    this.pk = options.keyPair.pk;
    this.#log = options.logger?.child("router");
    this.table = new RoutingTable({ now: options.now, gcIntervalMs: 0 });
    this.#dispatch = {
      table: this.table,
      transports: options.transports,
      groupOf: (rule) => this.#groupOf(rule),
      noTransit: options.noTransit ?? false,
      counters: this.#counters,
      log: this.#log,
    };
    const interval = options.gcIntervalMs ?? DEFAULT_RULES_GC_INTERVAL_MS;
    if (interval > 0) {
      this.#timer = setInterval(() => this.sweep(), interval);
      Deno.unrefTimer(this.#timer);
    }
  }

  /** Whether the router refuses transit (`routing.no_transit`). */
  get noTransit(): boolean {
    return this.#o.noTransit ?? false;
  }

  /** Route one packet from `transport` (the transport manager's `onPacket`). */
  handlePacket(packet: DecodedPacket, transport: RouteTransport): Promise<void> | void {
    this.#watch(transport);
    return dispatchPacket(this.#dispatch, packet, transport);
  }

  /** Reserve `n` route ids (`RPCGateway.ReserveIDs`). */
  reserveIds(n: number): RouteId[] {
    this.#assertOpen();
    return this.table.reserveIds(n);
  }

  /**
   * Save IntermediaryForward rules (`RPCGateway.AddIntermediaryRules`). All are checked before
   * any is saved: each must be an IntermediaryForward rule on one of our transports. Throws
   * {@linkcode InvalidRulesError}, or {@linkcode RouterError} under `noTransit`.
   */
  addIntermediaryRules(rules: Uint8Array[]): void {
    this.#assertOpen();
    if (this.noTransit) throw new RouterError("this visor does not relay (no_transit)");
    const parsed = rules.map((bytes) => parseRule(bytes, RuleType.IntermediaryForward));
    for (const rule of parsed) this.#requireTransport(rule);
    for (const rule of parsed) this.table.saveRule(rule);
    this.#log?.debug("intermediary rules saved", { count: parsed.length });
  }

  /**
   * We are the destination of a route (`RPCGateway.AddEdgeRules`): check the rules, save them
   * and create the group now, so the dialer's Handshake finds it; the handshake then runs in
   * the background and the group goes to the listener on its port. Throws
   * {@linkcode InvalidRulesError} (no listener on the port, no such transport, bad rules).
   */
  introduceEdgeRules(edge: routingGob.EdgeRules): void {
    this.#assertOpen();
    const { descriptor, forward, reverse } = parseEdge(edge, this.pk);
    const listener = this.#listeners.get(descriptor.dstPort);
    if (!listener) throw new InvalidRulesError(`no route listener on port ${descriptor.dstPort}`);
    const group = this.#install(descriptor, forward, reverse, false);
    const work = establishGroup(group, this.#establishOptions(group, false)).then(
      (conn) => {
        if (!listener.introduce(conn)) conn.close();
      },
      (error) => this.#log?.warn("accepting a route group failed", { error: String(error) }),
    );
    this.#track(work);
  }

  /**
   * Install the edge rules a setup node returned to us (the dialer) and run the handshake as
   * initiator. Throws {@linkcode InvalidRulesError} or `RouteDialError` (`handshake`); the
   * port is released on every failure.
   */
  async openGroup(edge: routingGob.EdgeRules, options: OpenGroupOptions = {}): Promise<RouteConn> {
    let group: RouteGroup;
    try {
      this.#assertOpen();
      const { descriptor, forward, reverse } = parseEdge(edge, this.pk);
      group = this.#install(descriptor, forward, reverse, true, options.releasePort);
    } catch (error) {
      options.releasePort?.();
      throw error;
    }
    const work = establishGroup(group, this.#establishOptions(group, true));
    this.#track(work);
    return await work;
  }

  /** Listen on route port `port` (throws {@linkcode RouterError} if it is taken). */
  listen(port: number): RouteListener {
    this.#assertOpen();
    let release: () => void;
    const listener = new RouteListener(port, () => {
      if (this.#listeners.get(port) === listener) this.#listeners.delete(port);
      release();
    });
    try {
      release = this.#ports.reserve(port, listener);
    } catch (error) {
      throw portError(error, `route port ${port} is taken`);
    }
    this.#listeners.set(port, listener);
    return listener;
  }

  /** Reserve an ephemeral route port for a dial; `release` frees it (idempotent). */
  reserveEphemeralPort(): { port: number; release: () => void } {
    this.#assertOpen();
    try {
      return this.#ports.reserveEphemeral("dial");
    } catch (error) {
      throw portError(error, "no ephemeral route port left");
    }
  }

  /** Every rule (Go `Rules`). */
  rules(): Rule[] {
    return this.table.allRules();
  }

  /** The rule under `id`, if any. */
  rule(id: RouteId): Rule | undefined {
    return this.table.getRule(id);
  }

  /** Save a rule by hand (CLI `add-rule`). */
  saveRule(rule: Rule): void {
    this.#assertOpen();
    this.table.saveRule(rule);
  }

  /** Remove rules (CLI `rm-rule`); a removed Consume rule closes its group (Go `DelRules`). */
  deleteRules(ids: RouteId[]): Rule[] {
    const removed = this.table.deleteRules(ids);
    for (const rule of removed) this.#closeGroupOf(rule, "its consume rule was removed");
    return removed;
  }

  /** Snapshots of the route groups. */
  routeGroups(): RouteGroupInfo[] {
    return [...this.#groups.values()].map((group) => group.info());
  }

  /** Counters for leak tests. */
  stats(): RouterStats {
    const table = this.table.stats();
    let timers = 0;
    for (const group of this.#groups.values()) if (group.hasTimer) timers++;
    return {
      rules: table.rules,
      pendingReservations: table.pendingReservations,
      groups: this.#groups.size,
      groupTimers: timers,
      establishing: this.#establishing.size,
      listeners: this.#listeners.size,
      ports: this.#ports.size,
      watchedTransports: this.#watched.size,
      packets: structuredClone(this.#counters),
    };
  }

  /**
   * One upkeep round (the timer runs it every `gcIntervalMs`): remove idle rules and close
   * their groups, close groups whose Consume rule is gone, and forget closed groups still in
   * the maps (Jun 11: a group whose own close removed its rules must still leave them).
   */
  sweep(): void {
    const expired = this.table.collectExpired();
    if (expired.length > 0) this.#log?.debug("idle rules removed", { count: expired.length });
    for (const rule of expired) this.#closeGroupOf(rule, "its consume rule expired");
    for (const group of [...this.#groups.values()]) {
      if (group.state === "closed") this.#forget(group);
      else if (
        group.state === "open" && !this.table.hasRule(group.reverse.keyRouteId, group.reverse)
      ) {
        group.abandon("its consume rule is gone");
      }
    }
  }

  /** Close every group and listener and stop the timer. Idempotent. */
  close(): Promise<void> {
    return this.#closing ??= this.#close();
  }

  async #close(): Promise<void> {
    clearInterval(this.#timer);
    for (const listener of [...this.#listeners.values()]) listener.close();
    const groups = [...this.#groups.values()];
    for (const group of groups) group.close();
    await Promise.allSettled([...this.#establishing]);
    await Promise.allSettled(groups.map((group) => group.closed));
    this.table.close();
    this.#watched.clear();
  }

  #assertOpen(): void {
    if (this.#closing) throw new RouteGroupClosedError("router is closed");
  }

  #install(
    descriptor: RouteDescriptor,
    forward: Rule,
    reverse: Rule,
    initiator: boolean,
    releasePort?: () => void,
  ): RouteGroup {
    const transport = this.#requireTransport(forward);
    const key = descriptor.key();
    const old = this.#groups.get(key);
    if (old) {
      this.#log?.debug("replacing the route group of a descriptor", { desc: String(descriptor) });
      this.#forget(old);
      old.close();
    }
    this.table.saveRule(forward);
    this.table.saveRule(reverse);
    const group = new RouteGroup({
      descriptor,
      forward,
      reverse,
      initiator,
      transports: this.#o.transports,
      table: this.table,
      readBufferBytes: this.#o.readBufferBytes,
      keepAliveIntervalMs: this.#o.keepAliveIntervalMs,
      pingIntervalMs: this.#o.pingIntervalMs,
      closeTimeoutMs: this.#o.closeTimeoutMs,
      logger: this.#log?.child("route_group", { desc: String(descriptor) }),
      onClosed: (closed) => {
        this.#forget(closed);
        releasePort?.();
      },
    });
    this.#groups.set(key, group);
    this.#byConsume.set(reverse.keyRouteId, group);
    this.#watch(transport);
    return group;
  }

  #establishOptions(group: RouteGroup, initiator: boolean) {
    return {
      initiator,
      encrypt: this.#o.encrypt ?? true,
      keyPair: this.#o.keyPair,
      remotePk: group.descriptor.srcPk,
      handshakeTimeoutMs: this.#o.handshakeTimeoutMs,
    };
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch(() => {});
    this.#establishing.add(tracked);
    tracked.finally(() => this.#establishing.delete(tracked));
  }

  #groupOf(rule: Rule): RouteGroup | undefined {
    const byKey = this.#byConsume.get(rule.keyRouteId);
    if (byKey && byKey.reverse === rule) return byKey;
    try {
      return this.#groups.get(rule.routeDescriptor.key());
    } catch {
      return undefined;
    }
  }

  #forget(group: RouteGroup): void {
    const key = group.descriptor.key();
    if (this.#groups.get(key) === group) this.#groups.delete(key);
    const consume = group.reverse.keyRouteId;
    if (this.#byConsume.get(consume) === group) this.#byConsume.delete(consume);
  }

  #closeGroupOf(rule: Rule, reason: string): void {
    if (rule.type !== RuleType.Consume) return;
    const group = this.#groupOf(rule);
    if (!group || group.state !== "open") return;
    group.abandon(reason);
  }

  #requireTransport(rule: Rule): RouteTransport {
    const tp = this.#o.transports.transport(rule.nextTransportId);
    if (!tp || tp.isClosed) {
      throw new InvalidRulesError(`no transport ${rule.nextTransportId} for rule ${rule}`);
    }
    return tp;
  }

  // Learn when a transport closes for good, once per transport object.
  #watch(tp: RouteTransport): void {
    if (this.#closing || this.#watched.get(tp.id) === tp || tp.isClosed) return;
    this.#watched.set(tp.id, tp);
    tp.closed.then(() => this.#transportClosed(tp));
  }

  #transportClosed(tp: RouteTransport): void {
    if (this.#watched.get(tp.id) !== tp) return;
    this.#watched.delete(tp.id);
    const successor = this.#o.transports.transport(tp.id);
    if (successor && !successor.isClosed) return; // the id lives on in a new transport
    for (const group of [...this.#groups.values()]) {
      if (group.transportId === tp.id) group.abandon(`transport ${tp.id} closed`);
    }
    const stale = this.table.allRules().filter((rule) =>
      rule.type === RuleType.IntermediaryForward && rule.nextTransportId === tp.id
    );
    for (const rule of stale) this.table.deleteRule(rule.keyRouteId, rule);
    if (stale.length > 0) {
      this.#log?.debug("rules on a closed transport removed", {
        tp_id: tp.id,
        count: stale.length,
      });
    }
  }
}

function parseRule(bytes: Uint8Array, type: RuleType): Rule {
  let rule: Rule;
  try {
    rule = Rule.fromBytes(bytes.slice());
  } catch (error) {
    throw new InvalidRulesError((error as Error).message, { cause: error });
  }
  if (rule.type !== type) {
    throw new InvalidRulesError(`got a ${rule.typeName} rule where another type was expected`);
  }
  if (rule.keyRouteId === 0) throw new InvalidRulesError("rule key route id 0 is reserved");
  return rule;
}

// Check a setup node's edge rules: a Forward and a Consume rule, the Consume rule's descriptor
// being the edge descriptor, and its destination being us.
function parseEdge(edge: routingGob.EdgeRules, pk: PubKey) {
  let descriptor: RouteDescriptor;
  try {
    descriptor = RouteDescriptor.fromBytes(edge.Desc.slice());
  } catch (error) {
    throw new InvalidRulesError((error as Error).message, { cause: error });
  }
  const forward = parseRule(edge.Forward, RuleType.Forward);
  const reverse = parseRule(edge.Reverse, RuleType.Consume);
  if (!reverse.routeDescriptor.equals(descriptor)) {
    throw new InvalidRulesError("the consume rule's descriptor is not the edge descriptor");
  }
  if (descriptor.dstPkHex !== pk.hex()) {
    throw new InvalidRulesError("edge rules for another visor");
  }
  try {
    void descriptor.srcPk; // the peer's key must be a key: Noise needs it
  } catch (error) {
    throw new InvalidRulesError((error as Error).message, { cause: error });
  }
  return { descriptor, forward, reverse };
}

function portError(error: unknown, message: string): Error {
  return error instanceof DmsgError ? new RouterError(message, { cause: error }) : error as Error;
}
