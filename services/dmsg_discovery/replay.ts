/**
 * What keeps a signed entry from being used twice. Entries are public (`GET /entry/{pk}` serves
 * them, signature included), so a signature alone proves only that the key holder signed this
 * entry *once*. A registration or deletion is taken as the key holder's word *now* only when
 * its entry:
 *
 * - is fresh: its timestamp is within the window of the discovery's clock;
 * - supersedes what is stored: a higher sequence and a timestamp not older than the stored
 *   entry's (Go's iteration rule), also for a deletion;
 * - is newer than the last deletion of the key (its tombstone), so that neither the deletion
 *   nor an entry from before it can be played back afterwards.
 *
 * A replay of the served entry (what Go clients send to delete, and what anyone can send) has
 * the stored sequence and is refused.
 *
 * @module
 */
import { EntryValidationError } from "../../mod/dmsg/disc/mod.ts";
import type { Entry } from "../../mod/dmsg/disc/mod.ts";

const NS_PER_MS = 1_000_000n;

/**
 * How old a client entry's timestamp may be. Go checks no client timestamp, so this is wider
 * than its server window: a visor with a clock a few minutes off keeps working.
 */
export const CLIENT_FRESH_PAST_MS = 5 * 60_000;
/** How far in the future a client entry's timestamp may be. */
export const CLIENT_FRESH_FUTURE_MS = 60_000;
/** Server entries: Go's own window (`entryLifetime`, `allowedEntryTimestampError`). */
export const SERVER_FRESH_PAST_MS = 60_000;
/** See {@linkcode SERVER_FRESH_PAST_MS}. */
export const SERVER_FRESH_FUTURE_MS = 5_000;
/**
 * How long a deletion is remembered. Past it, every entry signed before the deletion is stale
 * by the freshness window anyway.
 */
export const TOMBSTONE_TTL_MS = 10 * 60_000;

/** What a deletion leaves behind: the deleting entry's sequence and timestamp. */
export interface Tombstone {
  /** Sequence of the entry that deleted. */
  sequence: bigint;
  /** Its timestamp, Unix ns. */
  timestamp: bigint;
}

/** Throws `outdatedTime` unless `entry` was signed within the window around `nowNs`. */
export function checkFresh(entry: Entry, nowNs: bigint): void {
  const past = BigInt(entry.server ? SERVER_FRESH_PAST_MS : CLIENT_FRESH_PAST_MS) * NS_PER_MS;
  const future = BigInt(entry.server ? SERVER_FRESH_FUTURE_MS : CLIENT_FRESH_FUTURE_MS) *
    NS_PER_MS;
  if (entry.timestamp < nowNs - past || entry.timestamp > nowNs + future) {
    throw new EntryValidationError("outdatedTime");
  }
}

/**
 * Throws unless `entry` may delete `stored`: a higher sequence (`wrongSequence`) and a
 * timestamp not older (`wrongTime`), as an update must have.
 */
export function checkDeletes(
  stored: Pick<Entry, "sequence" | "timestamp">,
  entry: Entry,
): void {
  if (entry.sequence <= stored.sequence) throw new EntryValidationError("wrongSequence");
  if (entry.timestamp < stored.timestamp) throw new EntryValidationError("wrongTime");
}

/** Throws `wrongTime` unless `entry` is newer than the deletion `tombstone` recorded. */
export function checkAfterTombstone(tombstone: Tombstone | null, entry: Entry): void {
  if (tombstone && entry.timestamp <= tombstone.timestamp) {
    throw new EntryValidationError("wrongTime");
  }
}
