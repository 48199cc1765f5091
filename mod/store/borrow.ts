import type { Logger } from "../log/mod.ts";
import { openStore, type Store } from "./open.ts";

/** Where a service keeps its records: a file it opens, or a store it is handed. */
export interface ServiceStoreOptions {
  /** Path of the Deno KV file to open (and close with the service). */
  storePath?: string;
  /** An open store to use instead; the service does not close it. */
  store?: Store;
}

/**
 * The store a service uses: `options.store` when given (its `close` then leaves the store
 * open, for its owner to close), else `options.storePath` opened with {@linkcode openStore}.
 * Throws `TypeError` when neither is given.
 */
export async function openServiceStore(
  options: ServiceStoreOptions,
  logger: Logger,
): Promise<Store> {
  const lent = options.store;
  if (lent) {
    return {
      path: lent.path,
      get kv() {
        return lent.kv;
      },
      get recovery() {
        return lent.recovery;
      },
      recover: (reason) => lent.recover(reason),
      close() {},
    };
  }
  if (options.storePath === undefined) throw new TypeError("a service needs storePath or store");
  return await openStore({ path: options.storePath, logger });
}
