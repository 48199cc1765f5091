/**
 * What the dmsg discovery does, without HTTP: admit, store, update with the KV retry loop,
 * delete, and the listings. Routes turn requests into calls here and results into Go's answers;
 * a refusal carries the status and message Go's discovery answers with.
 *
 * @module
 */
import { shuffle } from "@std/random";
import { PubKey } from "../../mod/cipher/mod.ts";
import {
  DISC_MESSAGES,
  type Entry,
  EntryValidationError,
  marshalEntry,
  nowNanos,
  pubKeyFromHexCached,
  validateFirstRegistration,
  validateIteration,
} from "../../mod/dmsg/disc/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { admitEntry } from "./admit.ts";
import { Listings, MAX_AVAILABLE_SERVERS } from "./listings.ts";
import { checkAfterTombstone, checkDeletes, checkFresh } from "./replay.ts";
import type { DiscoveryStore, StoredRecord } from "./store.ts";

/**
 * Most delegated servers a client entry may name. Go sets no bound; a client has a session
 * with each server it names, and Go clients keep one to a few (`sessions_count`), so 64 is
 * far above need and keeps every entry, and every listing built from them, small.
 */
export const MAX_DELEGATED_SERVERS = 64;
/** Largest entry stored, in bytes of its Go-canonical JSON (64 delegated servers fit twice). */
export const MAX_ENTRY_BYTES = 8 * 1024;
// Server entries live two update intervals (Go: `dmsg.DefaultUpdateInterval * 2`).
const SERVER_ENTRY_TTL_MS = 2 * 60_000;
// TTL for client entries posted with the legacy `?timeout=true` (Go `store.DefaultTimeout`).
const LEGACY_CLIENT_TTL_MS = 3 * 60_000;
// A write that keeps losing the atomic check is given up after this many rounds.
const MAX_WRITE_ROUNDS = 8;

/** Options for {@linkcode EntryService}. */
export interface EntryServiceOptions {
  /** Where entries live. */
  store: DiscoveryStore;
  /** Go's `-t`: allow loopback server addresses. */
  testMode: boolean;
  /** Millisecond clock. */
  now: () => number;
  /** Where lost write races are noted. */
  logger: Logger;
  /** TTL of client entries in ms (Go's `--entry-timeout`); 0 = no expiry. */
  clientEntryTtlMs: number;
  /** Require sequence 0 for a first registration and exactly old + 1 for an update. */
  strictSequence: boolean;
  /** Go's `--auth` passphrase for official servers. */
  authPassphrase: string;
  /** Keys (hex) of servers classed official. */
  officialServers: ReadonlySet<string>;
}

/** A request the discovery turns down: Go's status and message for it. */
export interface Refusal {
  /** Always `false`. */
  ok: false;
  /** The HTTP status Go answers with. */
  status: number;
  /** Go's message text. */
  message: string;
}

/** The outcome of {@linkcode EntryService.register}. */
export type RegisterResult = { ok: true; updated: boolean } | Refusal;

/** The outcome of {@linkcode EntryService.delete}. */
export type DeleteResult = { ok: true } | Refusal;

// A key's text as entries are stored under it: 66 hex digits (any case in a request).
const KEY_HEX = /^[0-9a-fA-F]{66}$/;
const ALL_ZEROS = /^0*$/;

/** Go's `cipher.PubKey.UnmarshalText`: all zeros is the null key; `undefined` if not a key. */
export function parsePubKeyText(text: string): PubKey | undefined {
  if (ALL_ZEROS.test(text)) return PubKey.NULL;
  try {
    return PubKey.fromHex(text);
  } catch {
    return undefined;
  }
}

/** What a lookup of key-shaped text that found no entry answers: 404, or 400 off the curve. */
function absentOrInvalid(hex: string): "absent" | "invalid" {
  if (ALL_ZEROS.test(hex)) return "absent";
  try {
    // Keys asked for again and again (a peer that is not there yet) are checked once.
    pubKeyFromHexCached(hex);
    return "absent";
  } catch {
    return "invalid";
  }
}

function refuse(status: number, message: string): Refusal {
  return { ok: false, status, message };
}

/** The refusal of an entry signed outside the freshness window, or `undefined`. */
function fresh(entry: Entry, nowNs: bigint): Refusal | undefined {
  try {
    checkFresh(entry, nowNs);
  } catch (error) {
    if (error instanceof EntryValidationError) return refuse(422, error.message);
    throw error;
  }
}

/** The refusal of `entry` replacing what `current` holds, or `undefined` if it may. */
function iterationRefusal(
  current: StoredRecord,
  entry: Entry,
  strictSequence: boolean,
): Refusal | undefined {
  try {
    if (current.entry) validateIteration(current.entry, entry, { strictSequence });
    else {
      checkAfterTombstone(current.tombstone, entry);
      validateFirstRegistration(entry, { strictSequence });
    }
  } catch (error) {
    if (error instanceof EntryValidationError) return refuse(422, error.message);
    throw error;
  }
}

/** The dmsg discovery's operations on its entries. */
export class EntryService {
  readonly #o: EntryServiceOptions;
  readonly #listings: Listings;

  /** Create the service over `options.store`. */
  constructor(options: EntryServiceOptions) {
    this.#o = options;
    this.#listings = new Listings({ store: options.store, now: options.now });
  }

  /** The Go-canonical JSON of the live entry of `pk` as stored, or `undefined`. */
  get(pk: PubKey): Promise<Uint8Array | undefined> {
    return this.#o.store.getBody(pk.hex());
  }

  /**
   * The entry a key's text (`GET /entry/{pk}`) names: its JSON, or `"absent"`, or `"invalid"`
   * when the text is not a key (Go's 400). A stored key was checked on the curve when its
   * entry was admitted, so text of a key's shape is looked up first and checked on the curve
   * only when nothing is stored under it.
   */
  async lookup(text: string): Promise<Uint8Array | "absent" | "invalid"> {
    if (KEY_HEX.test(text)) {
      const hex = text.toLowerCase();
      return (await this.#o.store.getBody(hex)) ?? absentOrInvalid(hex);
    }
    const pk = parsePubKeyText(text);
    if (!pk) return "invalid";
    // Text of another shape (all zeros, empty) names a key the look-up above did not try.
    return (await this.get(pk)) ?? "absent";
  }

  /**
   * {@linkcode lookup} without a store read, for text of a key's shape only (66 hex digits;
   * `undefined` for any other): `undefined` too when only the store can say.
   */
  lookupCached(text: string): Uint8Array | "absent" | "invalid" | undefined {
    if (!KEY_HEX.test(text)) return undefined;
    const hex = text.toLowerCase();
    const body = this.#o.store.cachedBody(hex);
    return body === undefined ? undefined : body ?? absentOrInvalid(hex);
  }

  /**
   * Admit and store a submitted entry (its JSON `body`). A new key must start a sequence, an
   * existing one advance it; the atomic check on the stored version makes two concurrent
   * updates of one key end with exactly one winner. `legacyTimeout` is Go's `?timeout=true`.
   */
  async register(body: Uint8Array, options: { legacyTimeout?: boolean } = {}): Promise<
    RegisterResult
  > {
    const o = this.#o;
    const admission = admitEntry(body, {
      purpose: "register",
      testMode: o.testMode,
      nowNs: nowNanos(o.now()),
      authPassphrase: o.authPassphrase,
      officialServers: o.officialServers,
    });
    if (!admission.ok) return refuse(admission.status, admission.message);
    const entry = admission.entry;
    if ((entry.client?.delegatedServers?.length ?? 0) > MAX_DELEGATED_SERVERS) {
      return refuse(
        422,
        `entry validation error: more than ${MAX_DELEGATED_SERVERS} delegated servers`,
      );
    }
    const canonical = admission.canonical ?? marshalEntry(entry);
    if (canonical.length > MAX_ENTRY_BYTES) return refuse(413, "Request Entity Too Large");
    let ttl = o.clientEntryTtlMs;
    if (options.legacyTimeout) ttl = LEGACY_CLIENT_TTL_MS;
    if (entry.server) ttl = SERVER_ENTRY_TTL_MS;
    const strictSequence = o.strictSequence;
    // A signature proves the key holder signed this entry once; fresh, newer than the
    // stored entry and than the last deletion, it is the holder's word now (replay.ts).
    const stale = fresh(entry, nowNanos(o.now()));
    if (stale) return stale;
    const pk = entry.static.hex();
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      // The first round goes on the entry cache's guess, without a store read. The write's
      // checks hold the guess to the store; a refusal on the guess, or a write the store
      // turned down, reads the store, so every answer is the one the store's state gives.
      const guess = round === 0 ? o.store.cachedRecord(pk) : undefined;
      const current = guess ?? await o.store.get(pk);
      const refusal = iterationRefusal(current, entry, strictSequence);
      if (refusal) {
        if (guess) continue;
        return refusal;
      }
      if (await o.store.put(entry, canonical, ttl, current)) {
        this.#listings.changed();
        return { ok: true, updated: current.entry !== null };
      }
    }
    o.logger.warn("entry write kept losing to concurrent writes", { pk });
    return refuse(500, DISC_MESSAGES.unexpected);
  }

  /**
   * Delete the entry a submitted entry names. Go deletes on any validly signed entry of the
   * key, which lets anyone replay the served entry; here the deleting entry must be fresh and
   * supersede the stored one (sequence + 1 or more, timestamp not older), as an update would.
   * Absent is fine, as in Go. The deletion leaves a tombstone so that it cannot be undone by
   * replaying an older entry.
   */
  async delete(body: Uint8Array): Promise<DeleteResult> {
    const o = this.#o;
    const nowNs = nowNanos(o.now());
    const admission = admitEntry(body, { purpose: "delete", testMode: o.testMode, nowNs });
    if (!admission.ok) return refuse(admission.status, admission.message);
    const entry = admission.entry;
    const stale = fresh(entry, nowNs);
    if (stale) return stale;
    const pk = entry.static.hex();
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      const current = await o.store.get(pk);
      try {
        if (current.entry) checkDeletes(current.entry, entry);
        else checkAfterTombstone(current.tombstone, entry);
      } catch (error) {
        if (error instanceof EntryValidationError) return refuse(422, error.message);
        throw error;
      }
      const tombstone = { sequence: entry.sequence, timestamp: entry.timestamp };
      if (await o.store.delete(pk, tombstone, current)) {
        this.#listings.changed();
        return { ok: true };
      }
    }
    o.logger.warn("entry delete kept losing to concurrent writes", { pk });
    return refuse(500, DISC_MESSAGES.unexpected);
  }

  /**
   * The live entries of `keys` as `[key as asked, entry JSON]`, each distinct key once, keys
   * that are not keys or have no entry left out (Go's batch answer).
   */
  async batch(keys: string[]): Promise<Array<[string, Uint8Array]>> {
    const out: Array<[string, Uint8Array]> = [];
    const seen = new Set<string>();
    for (const key of keys) {
      if (seen.has(key)) continue;
      const body = await this.lookup(key.trim());
      if (typeof body === "string") continue;
      seen.add(key);
      out.push([key, body]);
    }
    return out;
  }

  /** Keys (hex) of the live clients, or only of visors (at most `MAX_LISTED_CLIENTS`). */
  clientKeys(options: { visorsOnly?: boolean } = {}): Promise<string[]> {
    return this.#listings.clientKeys(options.visorsOnly ?? false);
  }

  /** {@linkcode clientKeys} as a JSON array (shared between requests like the keys). */
  clientKeysJson(options: { visorsOnly?: boolean } = {}): Promise<Uint8Array> {
    return this.#listings.clientKeysJson(options.visorsOnly ?? false);
  }

  /**
   * Entries (JSON) of servers with free sessions, most free first, at most 512; Go picks at
   * random and then orders, so ties come in random order.
   */
  async availableServers(): Promise<Uint8Array[]> {
    const servers = shuffle(
      (await this.#listings.servers()).filter((s) => s.availableSessions > 0n),
    );
    // A stable sort after the shuffle keeps ties in random order.
    servers.sort((a, b) =>
      a.availableSessions === b.availableSessions
        ? 0
        : a.availableSessions > b.availableSessions
        ? -1
        : 1
    );
    return servers.slice(0, MAX_AVAILABLE_SERVERS).map((s) => s.body);
  }

  /** Entries (JSON) of the live servers (at most `MAX_SCANNED_SERVERS`), in random order. */
  async allServers(): Promise<Uint8Array[]> {
    return shuffle(await this.#listings.servers()).map((s) => s.body);
  }

  /** Client keys grouped by the servers they delegate to (at most `MAX_LISTED_DELEGATIONS`). */
  clientsByServer(): Promise<ReadonlyMap<string, string[]>> {
    return this.#listings.clientsByServer();
  }

  /** Keys of the clients that delegate to `server` (at most `MAX_LISTED_CLIENTS`). */
  clientsOf(server: PubKey): Promise<string[]> {
    return this.#listings.clientsOf(server.hex());
  }
}
