import { nodeCrypto } from "../../mod/cipher/mod.ts";

/** A logged-in browser (or script). */
export interface Session {
  /** The cookie value (random, 256 bits). */
  readonly token: string;
  /** The token every state-changing request of this session must carry. */
  readonly csrf: string;
  /** When it was made (ms since the epoch). */
  readonly created: number;
  /** When it ends (ms since the epoch): checked on every request, server-side. */
  readonly expires: number;
  /** Versionstamp of the password it logged in with: a new password ends the session. */
  readonly passwordStamp: string;
  /** A one-time note for the next page (e.g. "check done"). */
  flash?: string;
}

/** Options for {@linkcode SessionTable}. */
export interface SessionTableOptions {
  /** Lifetime of a session in ms. */
  ttlMs: number;
  /** Most sessions at once; the oldest is dropped first. */
  maxSessions: number;
  /** Millisecond clock. */
  now?: () => number;
}

/** A random token: 32 bytes, base64url. */
export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** Compare two tokens in constant time (for equal lengths). */
export function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  const encoder = new TextEncoder();
  // node:crypto loads at the first check (a login, a state-changing request), as the password
  // check's does, not when the UI app is made.
  return nodeCrypto().timingSafeEqual(encoder.encode(a), encoder.encode(b));
}

/**
 * The sessions, in memory only: a restart logs everyone out, as Go's hypervisor does. Bounded
 * by `maxSessions` (in insertion order, so the oldest login goes first); expired ones are
 * removed when met and whenever a session is made.
 */
export class SessionTable {
  readonly #sessions = new Map<string, Session>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  /** Create an empty table. */
  constructor(options: SessionTableOptions) {
    if (!(options.ttlMs > 0) || !(options.maxSessions >= 1)) {
      throw new RangeError("sessions need ttlMs > 0 and maxSessions >= 1");
    }
    this.#ttlMs = options.ttlMs;
    this.#max = options.maxSessions;
    this.#now = options.now ?? Date.now;
  }

  /** Sessions held now (expired ones not yet met included). */
  get size(): number {
    return this.#sessions.size;
  }

  /** How long a session lasts, in ms. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Make a session for a login with the password whose versionstamp is `passwordStamp`. */
  create(passwordStamp: string): Session {
    const now = this.#now();
    for (const [token, session] of this.#sessions) {
      if (session.expires <= now) this.#sessions.delete(token);
    }
    while (this.#sessions.size >= this.#max) {
      this.#sessions.delete(this.#sessions.keys().next().value!);
    }
    const session: Session = {
      token: randomToken(),
      csrf: randomToken(),
      created: now,
      expires: now + this.#ttlMs,
      passwordStamp,
    };
    this.#sessions.set(session.token, session);
    return session;
  }

  /** The live session for `token`; an expired one is removed and not returned. */
  get(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const session = this.#sessions.get(token);
    if (!session) return undefined;
    if (session.expires <= this.#now()) {
      this.#sessions.delete(token);
      return undefined;
    }
    return session;
  }

  /** Whether `session` is still held (not logged out, expired or dropped). */
  holds(session: Session): boolean {
    return this.#sessions.get(session.token) === session && session.expires > this.#now();
  }

  /** End one session. */
  delete(token: string): void {
    this.#sessions.delete(token);
  }

  /** End every session (a new password). */
  clear(): void {
    this.#sessions.clear();
  }

  /** Sessions other than `token` that are still live. */
  others(token: string): Session[] {
    const now = this.#now();
    return [...this.#sessions.values()].filter((s) => s.token !== token && s.expires > now);
  }
}
