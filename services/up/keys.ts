import { join } from "node:path";
import { generateKeyPair, type KeyPair, keyPairFromSecKey, SecKey } from "../../mod/cipher/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { openStore } from "../../mod/store/mod.ts";

/** File name of `skywire up`'s own store (its key pairs) in the data directory. */
export const UP_STORE_FILE = "up.kv";

/** The entities `skywire up` runs, each with a key pair kept across restarts. */
export type UpRole = "dmsg_server" | "visor";

/**
 * Load the key pair of each role from `<dataDir>/up.kv`, creating and storing any that are
 * missing, so public keys stay the same across restarts. A stored key that no longer parses
 * is replaced (and logged): the old identity is gone either way.
 */
export async function loadOrCreateKeys(
  dataDir: string,
  roles: readonly UpRole[],
  logger: Logger,
): Promise<Record<UpRole, KeyPair>> {
  const store = await openStore({ path: join(dataDir, UP_STORE_FILE), logger });
  try {
    const keys = {} as Record<UpRole, KeyPair>;
    for (const role of roles) {
      const key = ["keys", role];
      const stored = await store.kv.get<string>(key);
      if (typeof stored.value === "string") {
        try {
          keys[role] = keyPairFromSecKey(SecKey.fromHex(stored.value));
          continue;
        } catch (error) {
          logger.warn("stored key is damaged; making a new one", { role, error });
        }
      }
      const fresh = generateKeyPair();
      // The check keeps two `up` processes on one directory from ending with different keys.
      const result = await store.kv.atomic().check(stored).set(key, fresh.sk.hex()).commit();
      if (!result.ok) {
        const winner = await store.kv.get<string>(key);
        keys[role] = keyPairFromSecKey(SecKey.fromHex(String(winner.value)));
        continue;
      }
      logger.info("new key pair", { role, pk: fresh.pk.hex() });
      keys[role] = fresh;
    }
    return keys;
  } finally {
    store.close();
  }
}
