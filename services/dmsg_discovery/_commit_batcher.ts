/**
 * Group commit for the discovery's writes. A Deno KV commit costs about the same (~250 µs of
 * CPU, milliseconds of wall time) whether it writes one key or twenty, so writes that arrive
 * while a commit is under way are committed together in the next one. Each write keeps its own
 * checks: if any check of a group fails, every write of the group is committed again on its own,
 * so each still succeeds or fails exactly as it would have alone. Two writes of the same key
 * never share a group (both would pass the same check and both seem to win).
 *
 * @module
 */

/** One write: its checks and mutations, and the key that keeps it out of a group. */
export interface PendingWrite {
  /** The entry key (public key hex) the write is about. */
  key: string;
  /** Checks this write needs to hold. */
  checks: Deno.AtomicCheck[];
  /** Adds the write's mutations to `op`. */
  mutate(op: Deno.AtomicOperation): void;
  /** Mutations it adds (for the KV limits on one commit). */
  mutations: number;
  /** Bytes of values it writes, roughly (for the KV limit on one commit's size). */
  bytes: number;
}

// Within Deno KV's limits for one atomic operation (100 checks, 1,000 mutations, 800 KiB).
const MAX_CHECKS = 64;
const MAX_MUTATIONS = 512;
const MAX_BYTES = 256 * 1024;

interface Queued {
  write: PendingWrite;
  done: PromiseWithResolvers<string | null>;
}

/** Commits writes to one store, grouping those that wait for the same commit. */
export class CommitBatcher {
  readonly #kv: () => Deno.Kv;
  #queue: Queued[] = [];
  #running = false;

  /** Commit to the store `kv` returns at each commit. */
  constructor(kv: () => Deno.Kv) {
    this.#kv = kv;
  }

  /**
   * Commit `write`: the versionstamp of the commit that applied it, or `null` if one of its
   * checks failed.
   */
  commit(write: PendingWrite): Promise<string | null> {
    const done = Promise.withResolvers<string | null>();
    this.#queue.push({ write, done });
    if (!this.#running) void this.#run();
    return done.promise;
  }

  /** The next group: queued writes in order, one per key, within the limits. */
  #take(): Queued[] {
    const group: Queued[] = [];
    const rest: Queued[] = [];
    const keys = new Set<string>();
    let checks = 0, mutations = 0, bytes = 0;
    for (const queued of this.#queue) {
      const w = queued.write;
      const fits = group.length === 0 || (
        !keys.has(w.key) &&
        checks + w.checks.length <= MAX_CHECKS &&
        mutations + w.mutations <= MAX_MUTATIONS &&
        bytes + w.bytes <= MAX_BYTES
      );
      if (!fits) {
        rest.push(queued);
        continue;
      }
      group.push(queued);
      keys.add(w.key);
      checks += w.checks.length;
      mutations += w.mutations;
      bytes += w.bytes;
    }
    this.#queue = rest;
    return group;
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const group = this.#take();
        const versionstamp = group.length > 1 ? await this.#commitGroup(group) : null;
        if (versionstamp !== null) {
          for (const queued of group) queued.done.resolve(versionstamp);
          continue;
        }
        for (const queued of group) {
          try {
            queued.done.resolve(await this.#commitGroup([queued]));
          } catch (error) {
            queued.done.reject(error);
          }
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /**
   * One atomic commit of `group`: its versionstamp, or `null` when a check failed; the error
   * of a group of several is only `null`.
   */
  async #commitGroup(group: Queued[]): Promise<string | null> {
    const op = this.#kv().atomic();
    for (const { write } of group) {
      op.check(...write.checks);
      write.mutate(op);
    }
    const versionstamp = (result: Deno.KvCommitResult | Deno.KvCommitError) =>
      result.ok ? result.versionstamp : null;
    if (group.length === 1) return versionstamp(await op.commit());
    try {
      return versionstamp(await op.commit());
    } catch {
      // Retried one by one, where a write's own error reaches its caller.
      return null;
    }
  }
}
