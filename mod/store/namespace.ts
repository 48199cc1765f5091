import type { Store } from "./open.ts";

const NO_QUEUES = "queues are not available on a namespaced store";

/**
 * A Deno KV handle seen under a key prefix: every key it takes gets the prefix in front, every
 * key it returns has it taken off, and nothing outside the prefix can be read or written
 * through it. Queues are not namespaced (nothing here uses them): they throw.
 */
class NamespacedKv {
  readonly #kv: Deno.Kv;
  readonly #prefix: Deno.KvKey;

  constructor(kv: Deno.Kv, prefix: Deno.KvKey) {
    this.#kv = kv;
    this.#prefix = prefix;
  }

  #in = (key: Deno.KvKey): Deno.KvKey => [...this.#prefix, ...key];

  #out = <T>(entry: Deno.KvEntryMaybe<T>): Deno.KvEntryMaybe<T> =>
    ({ ...entry, key: entry.key.slice(this.#prefix.length) }) as Deno.KvEntryMaybe<T>;

  async get<T = unknown>(
    key: Deno.KvKey,
    options?: { consistency?: Deno.KvConsistencyLevel },
  ): Promise<Deno.KvEntryMaybe<T>> {
    return this.#out(await this.#kv.get<T>(this.#in(key), options));
  }

  async getMany<T extends readonly unknown[]>(
    keys: readonly [...{ [K in keyof T]: Deno.KvKey }],
    options?: { consistency?: Deno.KvConsistencyLevel },
  ): Promise<{ [K in keyof T]: Deno.KvEntryMaybe<T[K]> }> {
    const entries = await this.#kv.getMany(keys.map(this.#in), options);
    return entries.map((e) => this.#out(e)) as { [K in keyof T]: Deno.KvEntryMaybe<T[K]> };
  }

  set(
    key: Deno.KvKey,
    value: unknown,
    options?: { expireIn?: number },
  ): Promise<Deno.KvCommitResult> {
    return this.#kv.set(this.#in(key), value, options);
  }

  delete(key: Deno.KvKey): Promise<void> {
    return this.#kv.delete(this.#in(key));
  }

  list<T = unknown>(
    selector: Deno.KvListSelector,
    options?: Deno.KvListOptions,
  ): Deno.KvListIterator<T> {
    const inner: Record<string, Deno.KvKey> = {};
    for (const [name, key] of Object.entries(selector) as [string, Deno.KvKey][]) {
      inner[name] = this.#in(key);
    }
    const iterator = this.#kv.list<T>(inner as Deno.KvListSelector, options);
    const out = this.#out;
    // The cursor is the base iterator's: a later list through this view prefixes the selector
    // the same way, so the cursor means the same there.
    const view = {
      get cursor() {
        return iterator.cursor;
      },
      async next(): Promise<IteratorResult<Deno.KvEntry<T>, undefined>> {
        const step = await iterator.next();
        return step.done ? step : { done: false, value: out(step.value) as Deno.KvEntry<T> };
      },
      [Symbol.asyncIterator]() {
        return view;
      },
    };
    return view as unknown as Deno.KvListIterator<T>;
  }

  atomic(): Deno.AtomicOperation {
    return namespacedAtomic(this.#kv.atomic(), this.#in);
  }

  watch<T extends readonly unknown[]>(
    keys: readonly [...{ [K in keyof T]: Deno.KvKey }],
    options?: { raw?: boolean },
  ): ReadableStream<{ [K in keyof T]: Deno.KvEntryMaybe<T[K]> }> {
    const out = this.#out;
    return this.#kv.watch(keys.map(this.#in), options).pipeThrough(
      new TransformStream({
        transform(entries, controller) {
          controller.enqueue(
            entries.map((e) => out(e)) as { [K in keyof T]: Deno.KvEntryMaybe<T[K]> },
          );
        },
      }),
    );
  }

  enqueue(): Promise<Deno.KvCommitResult> {
    return Promise.reject(new TypeError(NO_QUEUES));
  }

  listenQueue(): Promise<void> {
    return Promise.reject(new TypeError(NO_QUEUES));
  }

  commitVersionstamp(): symbol {
    return this.#kv.commitVersionstamp();
  }

  /** The handle belongs to the shared store: closing a view leaves it open. */
  close(): void {}

  [Symbol.dispose](): void {}
}

function namespacedAtomic(
  op: Deno.AtomicOperation,
  prefixed: (key: Deno.KvKey) => Deno.KvKey,
): Deno.AtomicOperation {
  const view = {
    check(...checks: Deno.AtomicCheck[]) {
      op.check(...checks.map((c) => ({ ...c, key: prefixed(c.key) })));
      return view;
    },
    mutate(...mutations: Deno.KvMutation[]) {
      op.mutate(...mutations.map((m) => ({ ...m, key: prefixed(m.key) }) as Deno.KvMutation));
      return view;
    },
    sum(key: Deno.KvKey, n: bigint) {
      op.sum(prefixed(key), n);
      return view;
    },
    min(key: Deno.KvKey, n: bigint) {
      op.min(prefixed(key), n);
      return view;
    },
    max(key: Deno.KvKey, n: bigint) {
      op.max(prefixed(key), n);
      return view;
    },
    set(key: Deno.KvKey, value: unknown, options?: { expireIn?: number }) {
      op.set(prefixed(key), value, options);
      return view;
    },
    delete(key: Deno.KvKey) {
      op.delete(prefixed(key));
      return view;
    },
    enqueue(): never {
      throw new TypeError(NO_QUEUES);
    },
    commit() {
      return op.commit();
    },
  };
  return view as unknown as Deno.AtomicOperation;
}

/**
 * A {@linkcode Store} that keeps its records under `prefix` in `shared`, so that the parts of
 * one process (`skywire up`) share one KV file, and with it one SQLite connection and its
 * background thread, instead of opening one each. `kv` follows the shared store's current
 * handle (it changes when a damaged file is recovered); `recover` recovers the shared file for
 * every view; `close` leaves the shared store open for whoever opened it. Recoveries are
 * recorded at the shared store's root, not under the prefix.
 */
export function namespacedStore(shared: Store, prefix: Deno.KvKey): Store {
  if (prefix.length === 0) throw new TypeError("a store namespace needs a non-empty prefix");
  let base: Deno.Kv | undefined;
  let view: Deno.Kv | undefined;
  return {
    path: shared.path,
    get kv() {
      const current = shared.kv;
      if (current !== base || view === undefined) {
        base = current;
        view = new NamespacedKv(current, prefix) as unknown as Deno.Kv;
      }
      return view;
    },
    get recovery() {
      return shared.recovery;
    },
    recover: (reason) => shared.recover(reason),
    close() {},
  };
}
