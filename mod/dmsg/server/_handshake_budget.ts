interface Pending {
  group: string;
  evict: () => void;
}

/** What {@linkcode HandshakeBudget.admit} gives back. */
export type Admission =
  /** Admitted: call `release` once the handshake has finished or failed (idempotent). */
  | { release: () => void }
  /** Refused: the connection's address already has its share of handshakes under way. */
  | undefined;

/**
 * Session handshakes under way, apart from sessions: a TCP connection takes a place here until
 * its Noise handshake ends (or its 5 s limit), so idle or half-open connections never count
 * against `max_sessions`. Each address group (an IPv4 address, an IPv6 /64) holds at most
 * `perAddress` places; a new connection from a group at its cap is refused. When all `max`
 * places are taken, the oldest handshake is evicted: an honest one finishes in a few round
 * trips, so whoever holds a place the longest is the likeliest to be stalling.
 */
export class HandshakeBudget {
  /** Handshakes under way at most. */
  readonly max: number;
  /** Handshakes under way per address group at most. */
  readonly perAddress: number;
  // Insertion order is age order: the first entry is the oldest handshake.
  readonly #pending = new Set<Pending>();
  readonly #perGroup = new Map<string, number>();
  #evicted = 0;

  /** A budget of `max` places, `perAddress` per address group. */
  constructor(max: number, perAddress: number) {
    if (!(max >= 1) || !(perAddress >= 1)) throw new RangeError("handshake budgets must be >= 1");
    this.max = max;
    this.perAddress = perAddress;
  }

  /** Handshakes under way. */
  get size(): number {
    return this.#pending.size;
  }

  /** Address groups with a handshake under way. */
  get groups(): number {
    return this.#perGroup.size;
  }

  /** Handshakes evicted so far to make room. */
  get evicted(): number {
    return this.#evicted;
  }

  /**
   * Take a place for a connection from `hostname`; `evict` closes that connection if it must
   * make room later. Undefined when the address group is at its cap (close the connection).
   */
  admit(hostname: string, evict: () => void): Admission {
    const group = addressGroup(hostname);
    const held = this.#perGroup.get(group) ?? 0;
    if (held >= this.perAddress) return undefined;
    if (this.#pending.size >= this.max) {
      const oldest = this.#pending.values().next().value!;
      this.#remove(oldest);
      this.#evicted++;
      oldest.evict();
    }
    const entry: Pending = { group, evict };
    this.#pending.add(entry);
    this.#perGroup.set(group, (this.#perGroup.get(group) ?? 0) + 1);
    return { release: () => this.#remove(entry) };
  }

  /** Evict every handshake (the server is closing). */
  evictAll(): void {
    for (const entry of [...this.#pending]) {
      this.#remove(entry);
      entry.evict();
    }
  }

  #remove(entry: Pending): void {
    if (!this.#pending.delete(entry)) return;
    const left = (this.#perGroup.get(entry.group) ?? 1) - 1;
    if (left > 0) this.#perGroup.set(entry.group, left);
    else this.#perGroup.delete(entry.group);
  }
}

/**
 * The group an address's handshakes count in: an IPv4 address as is (also when IPv4-mapped),
 * an IPv6 address by its /64, which one subscriber usually holds whole.
 */
export function addressGroup(hostname: string): string {
  const host = hostname.replace(/^\[|\]$/g, "").replace(/%.*$/, "").toLowerCase();
  if (!host.includes(":")) return host;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (mapped) return mapped[1];
  const [head, tail = ""] = host.split("::");
  const left = head ? head.split(":") : [];
  const right = host.includes("::") && tail ? tail.split(":") : [];
  // A dotted IPv4 tail stands for two groups.
  const width = (part: string[]) => part.length + (part.at(-1)?.includes(".") ? 1 : 0);
  const missing = 8 - width(left) - width(right);
  const groups = host.includes("::")
    ? [...left, ...Array(Math.max(0, missing)).fill("0"), ...right]
    : left;
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":") + "::/64";
}
