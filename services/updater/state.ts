import { join } from "node:path";
import type { Logger } from "../../mod/log/mod.ts";
import { openStore, type Store } from "../../mod/store/mod.ts";

/** File name of the updater's KV store inside the state directory (the config's `local_path`). */
export const UPDATER_STATE_FILE = "updater.kv";

const PREFIX = "updater";
const KEY_LAST_CHECK = [PREFIX, "last_check"];
const KEY_PENDING = [PREFIX, "pending"];
const KEY_BOOTED_OK = [PREFIX, "booted_ok"];
const KEY_LOCK = [PREFIX, "lock"];
const PREFIX_HISTORY = [PREFIX, "history"];
const PREFIX_ROLLED_BACK = [PREFIX, "rolled_back"];

/** History entries kept; older ones are dropped when a new one is added. */
const HISTORY_LIMIT = 50;

/** A lock older than this is taken over even if its process still seems alive. */
const LOCK_STALE_MS = 2 * 60 * 60 * 1000;

/** Outcome of the most recent check or install. */
export interface CheckRecord {
  /** When (ISO 8601). */
  time: string;
  /** What happened. */
  result:
    | "up-to-date"
    | "available"
    | "installed"
    | "downgrade-refused"
    | "skipped"
    | "declined"
    | "failed";
  /** Channel asked for. */
  channel: string;
  /** Manifest source. */
  source: string;
  /** Version installed at the time. */
  current_version: string;
  /** Version the manifest offered. */
  available_version?: string;
  /** Failed step and reason, for `failed`. */
  step?: string;
  /** Error code, for `failed`. */
  code?: string;
  /** One-line message. */
  message?: string;
}

/** An installed update whose new binary has not yet reported "booted OK". */
export interface PendingUpdate {
  /** Version replaced. */
  from_version: string;
  /** Version installed. */
  to_version: string;
  /** The binary that was replaced (the systemd ExecStart binary). */
  exe: string;
  /** Where the replaced binary was kept. */
  prev: string;
  /** When it was installed (ISO 8601). */
  installed_at: string;
  /** First start of the new version (ISO 8601); the boot deadline counts from here. */
  first_start_at?: string;
  /** Starts of the new version so far without a "booted OK" mark. */
  starts: number;
  /** Time the new version has to report "booted OK", in ms. */
  boot_timeout_ms: number;
}

/** The "booted OK" mark a healthy node writes. */
export interface BootedOkMark {
  /** Version that booted. */
  version: string;
  /** When (ISO 8601). */
  time: string;
}

/** A line of the install history. */
export interface HistoryEntry {
  /** When (ISO 8601). */
  time: string;
  /** What happened. */
  event: "installed" | "confirmed" | "rolled-back";
  /** Version before. */
  from_version?: string;
  /** Version after. */
  to_version?: string;
  /** Binary affected. */
  exe: string;
  /** Why, for rollbacks. */
  reason?: string;
}

/** Everything `skywire update --status` shows. */
export interface UpdaterStatusRecord {
  /** Most recent check. */
  last_check?: CheckRecord;
  /** Update waiting for its "booted OK" mark. */
  pending?: PendingUpdate;
  /** Latest "booted OK" mark. */
  booted_ok?: BootedOkMark;
  /** Install history, newest first. */
  history: HistoryEntry[];
  /** Versions that were rolled back (the background updater does not install them again). */
  rolled_back_versions: string[];
}

interface LockRecord {
  pid: number;
  token: string;
  time: number;
}

/** The updater's persistent state, in its own KV file. Close it (or `using`) when done. */
export interface UpdaterState extends Disposable {
  /** Path of the KV file. */
  readonly path: string;
  /** Record the outcome of a check. */
  recordCheck(record: CheckRecord): Promise<void>;
  /** The pending update, if any. */
  pending(): Promise<PendingUpdate | undefined>;
  /** Set or (with `undefined`) clear the pending update. */
  setPending(pending: PendingUpdate | undefined): Promise<void>;
  /** Write the "booted OK" mark. */
  setBootedOk(mark: BootedOkMark): Promise<void>;
  /** Add a history entry. */
  addHistory(entry: HistoryEntry): Promise<void>;
  /** Remember a version that had to be rolled back. */
  addRolledBack(version: string, time: string): Promise<void>;
  /** Whether `version` was rolled back before. */
  wasRolledBack(version: string): Promise<boolean>;
  /** Everything, for `--status`. */
  status(): Promise<UpdaterStatusRecord>;
  /**
   * Take the update lock (one install at a time per state dir). Resolves to a release function,
   * or `undefined` when another live process holds it.
   */
  lock(): Promise<(() => Promise<void>) | undefined>;
  /** Close the store. */
  close(): void;
}

/** Options for {@linkcode openUpdaterState}. */
export interface OpenUpdaterStateOptions {
  /** Directory holding `updater.kv` (the config's `local_path`). */
  stateDir: string;
  /** Logger for store recoveries. */
  logger?: Logger;
}

function processAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** Open the updater state in `<stateDir>/updater.kv` through the store's health probe. */
export async function openUpdaterState(options: OpenUpdaterStateOptions): Promise<UpdaterState> {
  const store: Store = await openStore({
    path: join(options.stateDir, UPDATER_STATE_FILE),
    logger: options.logger,
  });
  const kv = () => store.kv;

  async function addHistory(entry: HistoryEntry): Promise<void> {
    await kv().set([...PREFIX_HISTORY, Date.parse(entry.time), crypto.randomUUID()], entry);
    const keys: Deno.KvKey[] = [];
    for await (const item of kv().list({ prefix: PREFIX_HISTORY }, { reverse: true })) {
      keys.push(item.key);
    }
    for (const key of keys.slice(HISTORY_LIMIT)) await kv().delete(key);
  }

  async function lock(): Promise<(() => Promise<void>) | undefined> {
    const mine: LockRecord = { pid: Deno.pid, token: crypto.randomUUID(), time: Date.now() };
    for (let attempt = 0; attempt < 3; attempt++) {
      const held = await kv().get<LockRecord>(KEY_LOCK);
      if (held.value) {
        const stale = !processAlive(held.value.pid) || Date.now() - held.value.time > LOCK_STALE_MS;
        if (!stale) return undefined;
      }
      const result = await kv().atomic().check(held).set(KEY_LOCK, mine).commit();
      if (result.ok) {
        return async () => {
          // Identity-checked: release only a lock that is still ours.
          const now = await kv().get<LockRecord>(KEY_LOCK);
          if (now.value?.token === mine.token) {
            await kv().atomic().check(now).delete(KEY_LOCK).commit();
          }
        };
      }
    }
    return undefined;
  }

  return {
    path: store.path,
    recordCheck: async (record) => {
      await kv().set(KEY_LAST_CHECK, record);
    },
    pending: async () => (await kv().get<PendingUpdate>(KEY_PENDING)).value ?? undefined,
    setPending: async (pending) => {
      if (pending) await kv().set(KEY_PENDING, pending);
      else await kv().delete(KEY_PENDING);
    },
    setBootedOk: async (mark) => {
      await kv().set(KEY_BOOTED_OK, mark);
    },
    addHistory,
    addRolledBack: async (version, time) => {
      await kv().set([...PREFIX_ROLLED_BACK, version], time);
    },
    wasRolledBack: async (version) =>
      (await kv().get([...PREFIX_ROLLED_BACK, version])).value !== null,
    status: async () => {
      const history: HistoryEntry[] = [];
      for await (
        const item of kv().list<HistoryEntry>({ prefix: PREFIX_HISTORY }, { reverse: true })
      ) {
        history.push(item.value);
      }
      const rolledBack: string[] = [];
      for await (const item of kv().list({ prefix: PREFIX_ROLLED_BACK })) {
        rolledBack.push(String(item.key[item.key.length - 1]));
      }
      const status: UpdaterStatusRecord = { history, rolled_back_versions: rolledBack };
      const lastCheck = (await kv().get<CheckRecord>(KEY_LAST_CHECK)).value;
      const pending = (await kv().get<PendingUpdate>(KEY_PENDING)).value;
      const bootedOk = (await kv().get<BootedOkMark>(KEY_BOOTED_OK)).value;
      if (lastCheck) status.last_check = lastCheck;
      if (pending) status.pending = pending;
      if (bootedOk) status.booted_ok = bootedOk;
      return status;
    },
    lock,
    close: () => store.close(),
    [Symbol.dispose]: () => store.close(),
  };
}

/**
 * The updater's status for `skywire update --status`, creating nothing: `undefined` when
 * `<stateDir>/updater.kv` does not exist (no check or install ever ran with this state
 * directory), so looking does not leave a state directory behind.
 */
export async function readUpdaterStatus(
  options: OpenUpdaterStateOptions,
): Promise<UpdaterStatusRecord | undefined> {
  try {
    await Deno.lstat(join(options.stateDir, UPDATER_STATE_FILE));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  using state = await openUpdaterState(options);
  return await state.status();
}
