import type { PubKey } from "../cipher/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { DmsgAddr } from "./addr.ts";
import { DIAL_EXISTING_SESSIONS_MAX, DIAL_NEW_SESSIONS_MAX } from "./constants.ts";
import {
  type DiscoveryClient,
  DiscoveryError,
  DiscoveryRequestError,
  type Entry,
} from "./disc/mod.ts";
import { DmsgError, DmsgErrorCode } from "./errors.ts";
import type { DmsgSession } from "./session.ts";
import type { DmsgStream } from "./stream.ts";
import type { DialCaches } from "./_dial_caches.ts";

/** What {@linkcode runDialLadder} needs from the client. */
export interface DialLadderOptions {
  /** The destination. */
  addr: DmsgAddr;
  /** Abort the dial. */
  signal?: AbortSignal;
  /** Entry, route and backoff memory. */
  caches: DialCaches;
  /** Where entries are looked up. */
  discovery: DiscoveryClient;
  /** Our live sessions. */
  sessions: () => DmsgSession[];
  /** The session to a server (existing or new). */
  ensureSession: (entry: Entry, signal?: AbortSignal) => Promise<DmsgSession>;
  /** One attempt through one session. */
  dial: (session: DmsgSession, signal?: AbortSignal) => Promise<DmsgStream>;
  /** Debug lines per failed attempt. */
  logger?: Logger;
  /** The destination's entry, when the caller looked it up already (no lookup then). */
  entry?: Entry;
}

async function lookupEntry(o: DialLadderOptions, pk: PubKey): Promise<Entry> {
  const key = pk.hex();
  const cached = o.caches.entry(key);
  if (cached) return cached;
  let entry: Entry;
  try {
    entry = await o.discovery.getEntry(pk, { signal: o.signal });
  } catch (cause) {
    if (o.signal?.aborted) throw o.signal.reason;
    // A discovery that did not answer is not a missing entry: its own error says what failed.
    if (cause instanceof DiscoveryRequestError) throw cause;
    // Go reports every other failed lookup as "not found" (100); the cause says which it was.
    throw new DmsgError(DmsgErrorCode.discEntryNotFound, {
      cause,
      detail: cause instanceof DiscoveryError && cause.kind === "keyNotFound"
        ? pk.hex()
        : undefined,
    });
  }
  o.caches.rememberEntry(key, entry);
  return entry;
}

function byLatency(a: DmsgSession, b: DmsgSession): number {
  return (a.latencyMs ?? Infinity) - (b.latencyMs ?? Infinity);
}

/**
 * The client's dial ladder (Go 2026 `client_dial.go`), strictly sequential so the destination
 * never gets orphan streams: phase 0 the cached route, 1 our sessions to the destination's
 * delegated servers by latency (≤16), 2 our other sessions (server mesh, ≤16), 3 new sessions
 * to its delegated servers (≤2, not during the destination's failure backoff). A destination
 * whose entry is a server's is dialed through a session to that server first. When every
 * attempt failed: {@linkcode DmsgError} 202 wrapping the first cause.
 */
export async function runDialLadder(o: DialLadderOptions): Promise<DmsgStream> {
  const dstKey = o.addr.pk.hex();
  const tried = new Set<DmsgSession>();
  let firstError: unknown;

  const attempt = async (session: DmsgSession): Promise<DmsgStream | undefined> => {
    if (tried.has(session) || session.isClosed) return undefined;
    tried.add(session);
    try {
      const stream = await o.dial(session, o.signal);
      o.caches.succeeded(dstKey, session.remotePk.hex());
      return stream;
    } catch (error) {
      if (o.signal?.aborted) throw o.signal.reason;
      if (error instanceof DmsgError && error.code === DmsgErrorCode.entityClosed) throw error;
      firstError ??= error;
      o.logger?.debug("dial attempt failed", {
        dst: dstKey,
        server: session.remotePk.hex(),
        error,
      });
      return undefined;
    }
  };
  const viaNewSession = async (entry: Entry): Promise<DmsgStream | undefined> => {
    let session: DmsgSession;
    try {
      session = await o.ensureSession(entry, o.signal);
    } catch (error) {
      if (o.signal?.aborted) throw o.signal.reason;
      if (error instanceof DmsgError && error.code === DmsgErrorCode.entityClosed) throw error;
      firstError ??= error;
      return undefined;
    }
    return await attempt(session);
  };

  // A given entry counts only if it is the destination's; it is then remembered as a lookup.
  let entry = o.entry?.static.hex() === dstKey ? o.entry : undefined;
  if (entry) o.caches.rememberEntry(dstKey, entry);
  else {
    try {
      entry = await lookupEntry(o, o.addr.pk);
    } catch (error) {
      if (o.signal?.aborted) throw o.signal.reason;
      firstError = error;
    }
  }
  const backingOff = o.caches.backingOff(dstKey);
  const sessions = o.sessions();
  const byKey = new Map(sessions.map((s) => [s.remotePk.hex(), s]));
  let stream: DmsgStream | undefined;

  if (entry?.server) {
    // The destination is a dmsg server: it answers streams to itself.
    const direct = byKey.get(dstKey);
    stream = direct ? await attempt(direct) : await viaNewSession(entry);
    if (stream) return stream;
  }
  const delegatedPks = entry?.client?.delegatedServers ?? [];
  const delegated = delegatedPks.map((pk) => pk.hex());
  if (entry && !entry.server && !entry.client) {
    firstError ??= new DmsgError(DmsgErrorCode.discEntryIsNotClient);
  } else if (entry?.client && delegated.length === 0) {
    firstError ??= new DmsgError(DmsgErrorCode.discEntryHasNoDelegated);
  }

  // Phase 0: the server that worked last time.
  const route = o.caches.routes.get(dstKey);
  const routed = route ? byKey.get(route) : undefined;
  if (routed && (stream = await attempt(routed))) return stream;

  // Phase 1: existing sessions to its delegated servers, fastest first.
  const delegatedSet = new Set(delegated);
  const phase1 = sessions.filter((s) => delegatedSet.has(s.remotePk.hex())).sort(byLatency);
  for (const session of phase1.slice(0, DIAL_EXISTING_SESSIONS_MAX)) {
    if ((stream = await attempt(session))) return stream;
  }

  // Phase 2: our other sessions; their servers may forward to a peer that has it.
  const phase2 = sessions.filter((s) => !delegatedSet.has(s.remotePk.hex())).sort(byLatency);
  for (const session of phase2.slice(0, DIAL_EXISTING_SESSIONS_MAX)) {
    if ((stream = await attempt(session))) return stream;
  }

  // Phase 3: new sessions to its delegated servers.
  if (!backingOff) {
    let opened = 0;
    for (const serverPk of delegatedPks) {
      if (opened >= DIAL_NEW_SESSIONS_MAX) break;
      if (byKey.has(serverPk.hex())) continue;
      opened++;
      let serverEntry: Entry;
      try {
        serverEntry = await lookupEntry(o, serverPk);
      } catch (error) {
        if (o.signal?.aborted) throw o.signal.reason;
        firstError ??= error;
        continue;
      }
      if (!serverEntry.server) {
        firstError ??= new DmsgError(DmsgErrorCode.discEntryIsNotServer);
        continue;
      }
      if ((stream = await viaNewSession(serverEntry))) return stream;
    }
  }

  o.caches.failed(dstKey);
  throw new DmsgError(DmsgErrorCode.cannotConnectToDelegated, {
    cause: firstError ?? new DmsgError(DmsgErrorCode.discEntryHasNoDelegated),
  });
}
