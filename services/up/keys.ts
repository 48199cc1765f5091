import { join } from "node:path";
import {
  generateKeyPair,
  type KeyPair,
  keyPairFromSecKey,
  PubKey,
  SecKey,
} from "../../mod/cipher/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { openStore } from "../../mod/store/mod.ts";

/** File name of `skywire up`'s key pairs in the data directory (mode 0600). */
export const UP_KEY_FILE = "up-keys.json";
/** Where earlier versions kept the key pairs (a Deno KV store); read once to migrate. */
export const UP_STORE_FILE = "up.kv";

/** The entities `skywire up` runs, each with a key pair kept across restarts. */
export type UpRole = "dmsg_server" | "visor" | "exit_visor";

/**
 * The key file exists but cannot be used: unreadable, or not what `up` writes. `up` stops
 * rather than make new keys, which would give the node a new identity without its operator's
 * word.
 */
export class UpKeysError extends Error {
  /** Create the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UpKeysError";
  }
}

type KeyFile = Partial<Record<UpRole, { pk: string; sk: string }>>;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The key file's pairs; `undefined` when there is no file. Throws {@linkcode UpKeysError}. */
function readKeyFile(path: string): Partial<Record<UpRole, KeyPair>> | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new UpKeysError(
      `cannot read the key file ${path} (${errorText(error)}); fix its owner or mode and start ` +
        `again (no new keys were made)`,
      { cause: error },
    );
  }
  const damaged = (why: string) =>
    new UpKeysError(
      `the key file ${path} is damaged (${why}); restore it from a backup, or move it away to ` +
        `start with new keys (a new identity)`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw damaged(errorText(error));
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw damaged("not a JSON object");
  }
  const pairs: Partial<Record<UpRole, KeyPair>> = {};
  for (const [role, value] of Object.entries(parsed as KeyFile)) {
    try {
      const pair = keyPairFromSecKey(SecKey.fromHex(String(value?.sk)));
      if (!pair.pk.equals(PubKey.fromHex(String(value?.pk)))) {
        throw new Error("pk does not match sk");
      }
      pairs[role as UpRole] = pair;
    } catch (error) {
      throw damaged(`${role}: ${errorText(error)}`);
    }
  }
  return pairs;
}

/** Write the key file as 0600, whole or not at all (temp file, then rename). */
async function writeKeyFile(path: string, pairs: Partial<Record<UpRole, KeyPair>>) {
  const body: KeyFile = {};
  for (const [role, pair] of Object.entries(pairs)) {
    body[role as UpRole] = { pk: pair.pk.hex(), sk: pair.sk.hex() };
  }
  const temp = `${path}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(temp, JSON.stringify(body, null, 2) + "\n", { mode: 0o600 });
  await Deno.chmod(temp, 0o600);
  await Deno.rename(temp, path);
}

/** Keys an earlier version kept in `up.kv`, removed from there once they are in the file. */
async function migrateFromStore(
  dataDir: string,
  roles: readonly UpRole[],
  logger: Logger,
): Promise<{ pairs: Partial<Record<UpRole, KeyPair>>; done: () => Promise<void> }> {
  const path = join(dataDir, UP_STORE_FILE);
  try {
    await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { pairs: {}, done: async () => {} };
    throw error;
  }
  // A store this process may not use stops here (StoreAccessError): no new keys are made.
  const store = await openStore({ path, logger });
  const pairs: Partial<Record<UpRole, KeyPair>> = {};
  try {
    for (const role of roles) {
      const stored = await store.kv.get<string>(["keys", role]);
      if (typeof stored.value !== "string") continue;
      try {
        pairs[role] = keyPairFromSecKey(SecKey.fromHex(stored.value));
      } catch (error) {
        throw new UpKeysError(`the key of ${role} in ${path} is damaged (${errorText(error)})`);
      }
    }
  } catch (error) {
    store.close();
    throw error;
  }
  return {
    pairs,
    async done() {
      try {
        for (const role of Object.keys(pairs)) await store.kv.delete(["keys", role]);
      } finally {
        store.close();
      }
    },
  };
}

/**
 * Load the key pair of each role from `<dataDir>/up-keys.json` (mode 0600), so public keys stay
 * the same across restarts. Keys an earlier version kept in `<dataDir>/up.kv` move into the
 * file. Only roles with no key anywhere get a new pair; a key file that cannot be read or
 * parsed, or an old store that cannot be opened, stops with an error naming the path: `up`
 * never replaces a node's keys on its own. The data directory's lock keeps two `up` processes
 * off the file.
 */
export async function loadOrCreateKeys(
  dataDir: string,
  roles: readonly UpRole[],
  logger: Logger,
): Promise<Record<UpRole, KeyPair>> {
  const path = join(dataDir, UP_KEY_FILE);
  const existing = readKeyFile(path);
  const migration = existing ? undefined : await migrateFromStore(dataDir, roles, logger);
  const pairs = { ...migration?.pairs, ...existing };
  let changed = !existing;
  for (const role of roles) {
    if (pairs[role]) continue;
    pairs[role] = generateKeyPair();
    changed = true;
    logger.info("new key pair", { role, pk: pairs[role].pk.hex() });
  }
  if (changed) {
    await writeKeyFile(path, pairs);
    if (migration && Object.keys(migration.pairs).length > 0) {
      logger.info("moved the key pairs into the key file", { from: UP_STORE_FILE, to: path });
    }
  } else {
    const mode = (await Deno.stat(path)).mode ?? 0;
    if (mode & 0o077) {
      logger.warn("the key file was readable by others; made it 0600", {
        path,
        mode: (mode & 0o777).toString(8),
      });
      await Deno.chmod(path, 0o600);
    }
  }
  await migration?.done();
  return pairs as Record<UpRole, KeyPair>;
}
