import { addressGroup } from "./_handshake_budget.ts";

/** A place {@linkcode AddressSessions.admit} gave; `release` once the session ends (idempotent). */
export interface SessionPlace {
  /** Give the place back. */
  release(): void;
}

/**
 * This host's own addresses, which a per-address cap leaves alone unless told otherwise: the
 * node's own visors (`skywire up`), local tools and a reverse proxy or tunnel in front of the
 * server all come from here, and one cap would throttle them all together.
 */
const OWN_HOST = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * Client sessions held per address group (an IPv4 address, an IPv6 /64), so that one host
 * cannot take every `max_sessions` place (Go 2024's `--limit-ip`, 15). Places are taken once a
 * session's handshake has shown who it is and given back when the session ends.
 */
export class AddressSessions {
  /** Sessions per address group at most (0: no cap). */
  readonly perAddress: number;
  /** Whether this host's own addresses are capped too. */
  readonly limitLoopback: boolean;
  readonly #held = new Map<string, number>();
  #refused = 0;
  #loggedAt = -Infinity;
  #refusedAtLog = 0;

  /** A cap of `perAddress` sessions per group (0: none); loopback capped only when asked. */
  constructor(perAddress: number, limitLoopback: boolean) {
    if (!(perAddress >= 0)) throw new RangeError("sessions per address must be >= 0");
    this.perAddress = perAddress;
    this.limitLoopback = limitLoopback;
  }

  /** Address groups holding a place. */
  get groups(): number {
    return this.#held.size;
  }

  /** Places held in all. */
  get held(): number {
    let total = 0;
    for (const count of this.#held.values()) total += count;
    return total;
  }

  /** Sessions refused so far. */
  get refused(): number {
    return this.#refused;
  }

  /**
   * Refusals since the last time this said so, when a refusal should be logged at info level
   * now (at most once per `everyMs`); undefined when it should go to debug (a flood from one
   * host must not flood the log).
   */
  refusalsToLog(everyMs: number, now = performance.now()): number | undefined {
    if (now - this.#loggedAt < everyMs) return undefined;
    this.#loggedAt = now;
    const count = this.#refused - this.#refusedAtLog;
    this.#refusedAtLog = this.#refused;
    return count;
  }

  /** Whether sessions from `hostname` are counted at all. */
  counts(hostname: string): boolean {
    if (this.perAddress === 0) return false;
    return this.limitLoopback || !OWN_HOST.has(hostname.replace(/^\[|\]$/g, "").toLowerCase());
  }

  /**
   * Take a place for a session from `hostname`. Undefined when its group holds `perAddress`
   * already, unless `replacing` (the client replaces its own session, whose place comes back
   * as the older one closes). Uncounted addresses get a place that holds nothing.
   */
  admit(hostname: string, replacing = false): SessionPlace | undefined {
    if (!this.counts(hostname)) return { release: () => {} };
    const group = addressGroup(hostname);
    const held = this.#held.get(group) ?? 0;
    if (held >= this.perAddress && !replacing) {
      this.#refused++;
      return undefined;
    }
    this.#held.set(group, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = (this.#held.get(group) ?? 1) - 1;
        if (left > 0) this.#held.set(group, left);
        else this.#held.delete(group);
      },
    };
  }
}
