import type { Logger } from "../log/mod.ts";
import { DEFAULT_RULES_GC_INTERVAL_MS, MAX_ROUTE_ID } from "./constants.ts";
import { InvalidFieldError, InvalidRuleError, RouteIdsExhaustedError } from "./errors.ts";
import type { RouteDescriptor } from "./route_descriptor.ts";
import type { RouteId } from "./route_id.ts";
import { RuleType } from "./constants.ts";
import type { Rule } from "./rule.ts";

/** Most ids one `reserveIds` call hands out (the setup RPC can ask for at most 255). */
export const MAX_RESERVATION = 0xffff;

/** Default time a reserved id stays held without a rule saved under it. */
export const DEFAULT_RESERVATION_TTL_MS = 5 * 60_000;

/** Options for {@linkcode RoutingTable}. */
export interface RoutingTableOptions {
  /** Millisecond clock; default `performance.now()` (monotonic). Inject one in tests. */
  now?: () => number;
  /** Sweep interval for idle rules; default 10 s (Go 2026). `0` starts no timer. */
  gcIntervalMs?: number;
  /** How long a reserved id without a rule stays held; default 5 min. */
  reservationTtlMs?: number;
  /** Called by the sweep timer with the rules it removed (the router closes their groups). */
  onExpired?: (rules: Rule[]) => void;
  /** First id `reserveIds` tries (default 1); tests use it to reach the wrap-around. */
  firstRouteId?: number;
  /** Where sweep results and callback failures are logged. */
  logger?: Logger;
}

/** Counters for leak tests and status pages. */
export interface RoutingTableStats {
  /** Rules stored now. */
  rules: number;
  /** Reserved ids with no rule saved yet. */
  pendingReservations: number;
  /** Ids handed out since creation. */
  reserved: number;
  /** Rules saved since creation. */
  saved: number;
  /** Rules removed by delete calls since creation. */
  deleted: number;
  /** Rules removed by expiry since creation. */
  expired: number;
}

interface Entry {
  rule: Rule;
  keepAliveMs: number;
  lastActivity: number;
}

/**
 * The in-memory routing table (Go `routing.Table`): rules by key route id, route id
 * reservation, and expiry of rules idle longer than their keep-alive.
 *
 * Activity: saving a rule, {@linkcode RoutingTable.touch}, and looking up a Consume rule with
 * {@linkcode RoutingTable.getRule} (as Go does, since nothing else refreshes the last hop)
 * count as activity. The table owns its sweep timer (unref'd, so it never holds the process
 * open); {@linkcode RoutingTable.close} stops it and drops every entry.
 */
export class RoutingTable {
  readonly #rules = new Map<RouteId, Entry>();
  readonly #pending = new Map<RouteId, number>(); // reserved id -> time reserved
  readonly #now: () => number;
  readonly #reservationTtlMs: number;
  readonly #onExpired?: (rules: Rule[]) => void;
  readonly #logger?: Logger;
  #timer?: ReturnType<typeof setInterval>;
  #nextId = 1;
  #counts = { reserved: 0, saved: 0, deleted: 0, expired: 0 };

  /** Create a table; starts the sweep timer unless `gcIntervalMs` is 0. */
  constructor(options: RoutingTableOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
    this.#reservationTtlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
    this.#onExpired = options.onExpired;
    this.#logger = options.logger;
    const first = options.firstRouteId ?? 1;
    if (!Number.isInteger(first) || first < 1 || first > MAX_ROUTE_ID) {
      throw new InvalidFieldError(`firstRouteId must be in [1, ${MAX_ROUTE_ID}], got ${first}`);
    }
    this.#nextId = first;
    const interval = options.gcIntervalMs ?? DEFAULT_RULES_GC_INTERVAL_MS;
    if (interval > 0) {
      const timer = setInterval(() => this.#sweep(), interval);
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  /**
   * Reserve `n` route ids that no rule or earlier reservation holds. Ids start at 1, count up,
   * and wrap from 2^32−1 back to 1 (Go instead fails once it reaches the top); 0 is never
   * given out. Throws {@linkcode RouteIdsExhaustedError} when fewer than `n` are free.
   */
  reserveIds(n: number): RouteId[] {
    if (!Number.isInteger(n) || n < 0 || n > MAX_RESERVATION) {
      throw new InvalidFieldError(`reservation size must be in [0, ${MAX_RESERVATION}], got ${n}`);
    }
    if (this.#rules.size + this.#pending.size + n > MAX_ROUTE_ID) {
      throw new RouteIdsExhaustedError(n);
    }
    const now = this.#now();
    const ids: RouteId[] = [];
    while (ids.length < n) {
      const id = this.#nextId;
      this.#nextId = id === MAX_ROUTE_ID ? 1 : id + 1;
      if (this.#rules.has(id) || this.#pending.has(id)) continue;
      this.#pending.set(id, now);
      ids.push(id);
    }
    this.#counts.reserved += n;
    return ids;
  }

  /**
   * Store `rule` under its key route id, replacing any rule there, and mark it active. The
   * table keeps the `Rule` object as is: give it bytes nobody will reuse. Key 0 is refused,
   * since route id 0 marks transport-level packets.
   */
  saveRule(rule: Rule): void {
    const key = rule.keyRouteId;
    if (key === 0) throw new InvalidRuleError("rule key route id 0 is reserved");
    this.#pending.delete(key);
    this.#rules.set(key, { rule, keepAliveMs: rule.keepAliveMs, lastActivity: this.#now() });
    this.#counts.saved++;
  }

  /**
   * The rule stored under `key`, or `undefined` if there is none or it has been idle past its
   * keep-alive (it then waits for the sweep, as in Go). Refreshes activity of Consume rules.
   */
  getRule(key: RouteId): Rule | undefined {
    const entry = this.#rules.get(key);
    if (entry === undefined) return undefined;
    const now = this.#now();
    if (isExpired(entry, now)) return undefined;
    if (entry.rule.type === RuleType.Consume) entry.lastActivity = now;
    return entry.rule;
  }

  /**
   * Whether a rule is stored under `key` (the very `rule` object, when given), expired or not,
   * without counting as activity.
   */
  hasRule(key: RouteId, rule?: Rule): boolean {
    const entry = this.#rules.get(key);
    return entry !== undefined && (rule === undefined || entry.rule === rule);
  }

  /** Mark the rule under `key` active (Go `UpdateActivity`); `false` if missing or expired. */
  touch(key: RouteId): boolean {
    const entry = this.#rules.get(key);
    if (entry === undefined) return false;
    const now = this.#now();
    if (isExpired(entry, now)) return false;
    entry.lastActivity = now;
    return true;
  }

  /**
   * Remove the rule under `key`, only if it is still `expected` when that is given (so a late
   * cleanup cannot remove a newer rule saved under the same key). Also drops a pending
   * reservation of `key`. Returns whether a rule was removed.
   */
  deleteRule(key: RouteId, expected?: Rule): boolean {
    const entry = this.#rules.get(key);
    if (entry === undefined) {
      if (expected === undefined) this.#pending.delete(key);
      return false;
    }
    if (expected !== undefined && entry.rule !== expected) return false;
    this.#rules.delete(key);
    this.#counts.deleted++;
    return true;
  }

  /** Remove the rules under `keys` (Go `DelRules`); returns the removed rules. */
  deleteRules(keys: Iterable<RouteId>): Rule[] {
    const removed: Rule[] = [];
    for (const key of keys) {
      const entry = this.#rules.get(key);
      if (this.deleteRule(key) && entry) removed.push(entry.rule);
    }
    return removed;
  }

  /** Unexpired Consume and Forward rules whose route descriptor equals `descriptor`. */
  rulesWithDescriptor(descriptor: RouteDescriptor): Rule[] {
    const now = this.#now();
    const out: Rule[] = [];
    for (const entry of this.#rules.values()) {
      if (entry.rule.type === RuleType.IntermediaryForward || isExpired(entry, now)) continue;
      if (entry.rule.routeDescriptor.equals(descriptor)) out.push(entry.rule);
    }
    return out;
  }

  /** Every unexpired rule. */
  allRules(): Rule[] {
    const now = this.#now();
    const out: Rule[] = [];
    for (const entry of this.#rules.values()) if (!isExpired(entry, now)) out.push(entry.rule);
    return out;
  }

  /** Number of rules stored, expired ones not yet swept included (Go `Count`). */
  get size(): number {
    return this.#rules.size;
  }

  /**
   * Remove and return the rules idle past their keep-alive at time `now`, and forget
   * reservations older than the reservation TTL. The sweep timer calls this and hands the
   * rules to `onExpired`; a direct call does not invoke `onExpired`.
   */
  collectExpired(now: number = this.#now()): Rule[] {
    const removed: Rule[] = [];
    for (const [key, entry] of this.#rules) {
      if (!isExpired(entry, now)) continue;
      this.#rules.delete(key);
      removed.push(entry.rule);
    }
    this.#counts.expired += removed.length;
    for (const [id, at] of this.#pending) {
      if (now - at > this.#reservationTtlMs) this.#pending.delete(id);
    }
    return removed;
  }

  /** Counters: current sizes and totals since creation. */
  stats(): RoutingTableStats {
    return { rules: this.#rules.size, pendingReservations: this.#pending.size, ...this.#counts };
  }

  /** Stop the sweep timer and drop all rules and reservations. Idempotent. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#rules.clear();
    this.#pending.clear();
  }

  /** Same as {@linkcode RoutingTable.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #sweep(): void {
    const removed = this.collectExpired();
    if (removed.length === 0) return;
    this.#logger?.debug("removed idle routing rules", { count: removed.length });
    try {
      this.#onExpired?.(removed);
    } catch (error) {
      this.#logger?.warn("routing rule expiry handler failed", { error });
    }
  }
}

// Go: a rule is timed out once its idle time exceeds the keep-alive (strictly greater).
function isExpired(entry: Entry, now: number): boolean {
  return now - entry.lastActivity > entry.keepAliveMs;
}
