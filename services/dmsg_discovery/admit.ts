/**
 * The checks the Go discovery runs on a submitted entry before it touches its store, in Go's
 * order, with Go's answers: a body that does not decode is a 500 "something unexpected
 * happened", a loopback server address outside test mode and every validation failure a 422,
 * a bad signature a 401. Pure: no I/O, so it can be fuzzed directly.
 *
 * @module
 */
import {
  decodeEntry,
  DISC_MESSAGES,
  type Entry,
  EntryDecodeError,
  EntrySignatureError,
  EntryValidationError,
  marshalEntryAndSignable,
  validateEntry,
  verifyEntrySignature,
} from "../../mod/dmsg/disc/mod.ts";
import { isLoopbackAddr } from "./address.ts";

/** Server types the Go discovery assigns (`dmsg.DefaultOfficialDmsgServerType` etc.). */
export const SERVER_TYPE_OFFICIAL = "official";
/** See {@linkcode SERVER_TYPE_OFFICIAL}. */
export const SERVER_TYPE_COMMUNITY = "community";

/** Options for {@linkcode admitEntry}. */
export interface AdmitOptions {
  /** Go's `-t`: allow loopback server addresses. */
  testMode: boolean;
  /** Current Unix time in nanoseconds. */
  nowNs: bigint;
  /** Go checks the loopback rule and classes servers for registrations, not for deletions. */
  purpose: "register" | "delete";
  /** Go's `--auth`: a server entry whose `serverType` equals it is classed official. */
  authPassphrase?: string;
  /** Keys (hex) of servers classed official whatever they claim. */
  officialServers?: ReadonlySet<string>;
}

/**
 * The outcome: an entry that passed (with its Go-canonical JSON, unless the discovery rewrote
 * a server entry's class after verifying it), or the status and message to answer with.
 */
export type Admission =
  | { ok: true; entry: Entry; canonical?: Uint8Array }
  | { ok: false; status: number; message: string };

/** Decode, validate and verify a submitted entry exactly as Go's `setEntry`/`delEntry` do. */
export function admitEntry(body: Uint8Array, options: AdmitOptions): Admission {
  let entry: Entry;
  try {
    entry = decodeEntry(body);
  } catch (error) {
    if (error instanceof EntryDecodeError) {
      return { ok: false, status: 500, message: DISC_MESSAGES.unexpected };
    }
    throw error;
  }
  let canonical: Uint8Array;
  try {
    if (options.purpose === "register" && entry.server && !options.testMode) {
      if (isLoopbackAddr(entry.server.address)) throw new EntryValidationError("serverAddress");
    }
    // Go skips the timestamp window for client entries: clients no longer refresh them.
    validateEntry(entry, { validateTimestamp: !entry.client, nowNs: options.nowNs });
    // One marshalling gives both the bytes the signature covers and the bytes to store.
    const marshalled = marshalEntryAndSignable(entry);
    verifyEntrySignature(entry, marshalled.signable);
    canonical = marshalled.canonical;
  } catch (error) {
    if (error instanceof EntryValidationError) {
      return { ok: false, status: 422, message: error.message };
    }
    if (error instanceof EntrySignatureError) {
      return { ok: false, status: 401, message: DISC_MESSAGES.unauthorized };
    }
    throw error;
  }
  if (entry.server && options.purpose === "register") {
    // Go rewrites the claim after the signature check, so stored server entries need not
    // verify any more; Go clients do not check them.
    const official = entry.server.serverType === (options.authPassphrase ?? "") ||
      (options.officialServers?.has(entry.static.hex()) ?? false);
    entry.server.serverType = official ? SERVER_TYPE_OFFICIAL : SERVER_TYPE_COMMUNITY;
    // Marshalled before the rewrite: no longer this entry's JSON.
    return { ok: true, entry };
  }
  return { ok: true, entry, canonical };
}
