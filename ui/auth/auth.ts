import { PasswordRejectedError, readPassword, setPassword } from "./credentials.ts";
import { DEFAULT_SCRYPT, type ScryptParams, verifyPassword } from "./password.ts";
import { type Session, SessionTable } from "./sessions.ts";

/** Options for {@linkcode UiAuth}. */
export interface UiAuthOptions {
  /** The visor's KV store (read at the point of use: a recovered store is a new handle). */
  kv: () => Deno.Kv;
  /** Session lifetime in ms. */
  sessionTtlMs: number;
  /** Most sessions at once. */
  maxSessions: number;
  /** scrypt cost for new passwords (default {@linkcode DEFAULT_SCRYPT}). */
  scrypt?: ScryptParams;
  /** Millisecond clock. */
  now?: () => number;
}

/** What a login attempt came to. */
export type LoginResult =
  | { ok: true; session: Session }
  | { ok: false; reason: "no-password" | "wrong-password" };

// Hashes run one at a time: each takes tens of MiB and most of a core, and the login rate
// limit already keeps the queue short.
class OneAtATime {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(task, task);
    this.#tail = next.catch(() => {});
    return next;
  }
}

/**
 * The UI's authentication: one user (`admin`), a password stored as a scrypt hash in the
 * visor's KV, and server-side sessions. A session ends at its expiry, at logout, and when the
 * password changes (from the UI or from `skywire cli visor hv password`, seen by the stored
 * record's versionstamp).
 */
export class UiAuth {
  readonly sessions: SessionTable;
  readonly #kv: () => Deno.Kv;
  readonly #scrypt: ScryptParams;
  readonly #hashing = new OneAtATime();

  /** Create the service. */
  constructor(options: UiAuthOptions) {
    this.#kv = options.kv;
    this.#scrypt = options.scrypt ?? DEFAULT_SCRYPT;
    this.sessions = new SessionTable({
      ttlMs: options.sessionTtlMs,
      maxSessions: options.maxSessions,
      now: options.now,
    });
  }

  /** Whether a password is set (a damaged record counts: it must be replaced, not claimed). */
  async hasPassword(): Promise<boolean> {
    return (await readPassword(this.#kv())).stamp !== null;
  }

  /**
   * Set the first password and log in. Resolves `undefined` when a password was set already.
   * Throws {@linkcode PasswordRejectedError} for an unacceptable password.
   */
  async setFirstPassword(password: string): Promise<Session | undefined> {
    const done = await this.#hashing.run(() =>
      setPassword(this.#kv(), password, { onlyIfUnset: true, scrypt: this.#scrypt })
    );
    if (!done) return undefined;
    const stored = await readPassword(this.#kv());
    return stored.stamp ? this.sessions.create(stored.stamp) : undefined;
  }

  /** Check the password and make a session. */
  async login(password: string): Promise<LoginResult> {
    const stored = await readPassword(this.#kv());
    if (!stored.record || !stored.stamp) return { ok: false, reason: "no-password" };
    const record = stored.record;
    const ok = await this.#hashing.run(() => verifyPassword(password, record));
    if (!ok) return { ok: false, reason: "wrong-password" };
    return { ok: true, session: this.sessions.create(stored.stamp) };
  }

  /** The live session for a cookie value, if its password is still the current one. */
  async session(token: string | undefined): Promise<Session | undefined> {
    const session = this.sessions.get(token);
    if (!session) return undefined;
    const stored = await readPassword(this.#kv());
    if (stored.stamp !== session.passwordStamp) {
      // The password changed (perhaps from the CLI): every older session is over.
      this.sessions.delete(session.token);
      return undefined;
    }
    return session;
  }

  /**
   * Change the password (the old one must match), end every session and start a new one for
   * the caller. Resolves `undefined` when the old password is wrong.
   */
  async changePassword(oldPassword: string, newPassword: string): Promise<Session | undefined> {
    const login = await this.login(oldPassword);
    if (!login.ok) return undefined;
    this.sessions.delete(login.session.token);
    await this.#hashing.run(() => setPassword(this.#kv(), newPassword, { scrypt: this.#scrypt }));
    this.sessions.clear();
    const stored = await readPassword(this.#kv());
    return stored.stamp ? this.sessions.create(stored.stamp) : undefined;
  }
}

export { PasswordRejectedError };
