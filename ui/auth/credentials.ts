import {
  DEFAULT_SCRYPT,
  hashPassword,
  isPasswordHash,
  type PasswordHash,
  passwordProblem,
  type ScryptParams,
} from "./password.ts";

/** Where the UI's password record lives in the visor's Deno KV. */
export const PASSWORD_KEY: Deno.KvKey = ["ui", "password"];

/** The single user, as Go's hypervisor names it (scripts log in as `admin`). */
export const UI_USERNAME = "admin";

/** The stored password record: the hash and when it was set. */
export interface PasswordRecord extends PasswordHash {
  /** When it was set (ISO 8601). */
  set_at: string;
}

/** A password that may not be used; the message says why. */
export class PasswordRejectedError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "PasswordRejectedError";
  }
}

/** The stored password and its versionstamp (it changes whenever the password does). */
export interface StoredPassword {
  /** The record; `undefined` when no password is set (or the stored one is unusable). */
  record: PasswordRecord | undefined;
  /** KV versionstamp of the record, `null` when there is none. */
  stamp: string | null;
}

/** Read the password record from `kv`. */
export async function readPassword(kv: Deno.Kv): Promise<StoredPassword> {
  const entry = await kv.get<PasswordRecord>(PASSWORD_KEY);
  const record = isPasswordHash(entry.value) ? entry.value : undefined;
  return { record, stamp: entry.versionstamp };
}

/** Options for {@linkcode setPassword}. */
export interface SetPasswordOptions {
  /** Only when none is set yet (the first visit); resolves `false` if one appeared. */
  onlyIfUnset?: boolean;
  /** scrypt cost (default {@linkcode DEFAULT_SCRYPT}). */
  scrypt?: ScryptParams;
}

/**
 * Hash `password` and store it as the UI's password. Throws {@linkcode PasswordRejectedError}
 * for a password that is too short or too long. Resolves `false` only for `onlyIfUnset` when a
 * password was already set (checked atomically, so two first visits cannot both win).
 */
export async function setPassword(
  kv: Deno.Kv,
  password: string,
  options: SetPasswordOptions = {},
): Promise<boolean> {
  const problem = passwordProblem(password);
  if (problem) throw new PasswordRejectedError(problem);
  if (options.onlyIfUnset && (await readPassword(kv)).stamp !== null) return false;
  const hash = await hashPassword(password, options.scrypt ?? DEFAULT_SCRYPT);
  const record: PasswordRecord = { ...hash, set_at: new Date().toISOString() };
  const write = kv.atomic();
  if (options.onlyIfUnset) write.check({ key: PASSWORD_KEY, versionstamp: null });
  return (await write.set(PASSWORD_KEY, record).commit()).ok;
}
