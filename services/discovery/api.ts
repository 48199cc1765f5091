import { type Context, Hono } from "hono";
import { PubKey } from "../../mod/cipher/mod.ts";
import {
  decodeStringList,
  DISC_MESSAGES,
  DISC_OK_MESSAGES,
  EntryDecodeError,
  EntryValidationError,
  httpMessageBytes,
  joinJsonArray,
  JsonWriter,
  marshalEntry,
  nowNanos,
  validateFirstRegistration,
  validateIteration,
} from "../../mod/dmsg/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { VERSION } from "../../mod/version/mod.ts";
import { admitEntry } from "./admit.ts";
import { BodyTooLargeError, readBody } from "./body.ts";
import { RateLimiter, type RateLimitOptions } from "./rate_limit.ts";
import type { DiscoveryStore } from "./store.ts";

// Go's cap on `available_servers` answers (`maxGetAvailableServersResult`).
const MAX_AVAILABLE_SERVERS = 512;
// Server entries live two update intervals (Go: `dmsg.DefaultUpdateInterval * 2`).
const SERVER_ENTRY_TTL_MS = 2 * 60_000;
// TTL for client entries posted with the legacy `?timeout=true` (Go `store.DefaultTimeout`).
const LEGACY_CLIENT_TTL_MS = 3 * 60_000;
// Most keys one batch request may name (the Go service also caps batches; its number is not
// in the source we have).
const MAX_BATCH_KEYS = 512;
// Deno KV refuses values over 64 KiB; an entry's canonical form must leave room for its record.
const MAX_STORED_ENTRY_BYTES = 60_000;
// A write that keeps losing the atomic check is given up after this many rounds.
const MAX_WRITE_ROUNDS = 8;

/** Options for {@linkcode createDiscoveryApp}. */
export interface DiscoveryAppOptions {
  /** Where entries live. */
  store: DiscoveryStore;
  /** Go's `-t`: allow loopback server addresses. */
  testMode: boolean;
  /** Millisecond clock (injectable for tests). */
  now: () => number;
  /** Request and error log. */
  logger: Logger;
  /** Per-remote-IP limit, or `false` for none. */
  rateLimit: RateLimitOptions | false;
  /** Largest request body in bytes; larger ones get 413. */
  maxBodyBytes: number;
  /** TTL of client entries in ms (Go's `--entry-timeout`, 60 min); 0 = no expiry. */
  clientEntryTtlMs: number;
  /** Require sequence 0 for a first registration and exactly old + 1 for an update. */
  strictSequence: boolean;
  /** Go's `--auth` passphrase for official servers. */
  authPassphrase: string;
  /** Keys (hex) of servers classed official. */
  officialServers: ReadonlySet<string>;
  /** Start time reported by `/health`. */
  startedAt: Date;
}

function json(status: number, body: Uint8Array): Response {
  return new Response(body as BodyInit, {
    status,
    headers: { "content-type": "application/json" },
  });
}

function message(status: number, text: string): Response {
  return json(status, httpMessageBytes(status, text));
}

function stringArray(items: string[] | null): Uint8Array {
  if (items === null) return new TextEncoder().encode("null");
  const w = new JsonWriter();
  w.ascii("[");
  items.forEach((item, i) => {
    if (i > 0) w.ascii(",");
    w.string(item);
  });
  w.ascii("]");
  return w.finish();
}

/** Go's `cipher.PubKey.UnmarshalText` on a URL segment: all zeros is the null key. */
function parsePathKey(text: string): PubKey | undefined {
  if (/^0*$/.test(text)) return PubKey.NULL;
  try {
    return PubKey.fromHex(text);
  } catch {
    return undefined;
  }
}

function remoteAddress(c: Context): string {
  const info = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return info?.remoteAddr?.hostname ?? "unknown";
}

/**
 * The dmsg discovery HTTP API (Go's `dmsg-discovery` routes and answers) as a Hono app. Serve
 * it with `Deno.serve(app.fetch)` so that the per-IP rate limit sees the remote address.
 */
export function createDiscoveryApp(options: DiscoveryAppOptions): Hono {
  const { store, logger: log } = options;
  const app = new Hono();
  const limiter = options.rateLimit ? new RateLimiter(options.rateLimit, options.now) : undefined;

  app.onError((error, c) => {
    log.error("request failed", { method: c.req.method, path: c.req.path, error });
    return message(500, DISC_MESSAGES.unexpected);
  });
  app.notFound(() =>
    new Response("404 page not found\n", {
      status: 404,
      headers: { "content-type": "text/plain; charset=utf-8" },
    })
  );

  app.use("*", async (c, next) => {
    const remote = remoteAddress(c);
    if (limiter && !limiter.allow(remote)) {
      log.debug("rate limited", { remote, path: c.req.path });
      const res = message(429, "rate limit exceeded");
      res.headers.set("retry-after", "1");
      return res;
    }
    await next();
    const status = c.res.status;
    const fields = { method: c.req.method, path: c.req.path, status, remote };
    if (status >= 500) log.warn("request", fields);
    else log.debug("request", fields);
  });

  const body = async (c: Context): Promise<Uint8Array | Response> => {
    try {
      return await readBody(c.req.raw, options.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return message(413, "Request Entity Too Large");
      throw error;
    }
  };

  app.get("/dmsg-discovery/entry/:pk", async (c) => {
    const pk = parsePathKey(c.req.param("pk"));
    if (!pk) return message(400, DISC_MESSAGES.badInput);
    const record = await store.get(pk.hex());
    if (!record.entry) return message(404, DISC_MESSAGES.keyNotFound);
    return json(200, record.body);
  });

  const setEntry = async (c: Context): Promise<Response> => {
    const raw = await body(c);
    if (raw instanceof Response) return raw;
    const admission = admitEntry(raw, {
      purpose: "register",
      testMode: options.testMode,
      nowNs: nowNanos(options.now()),
      authPassphrase: options.authPassphrase,
      officialServers: options.officialServers,
    });
    if (!admission.ok) return message(admission.status, admission.message);
    const entry = admission.entry;
    const canonical = marshalEntry(entry);
    if (canonical.length > MAX_STORED_ENTRY_BYTES) return message(413, "Request Entity Too Large");
    let ttl = options.clientEntryTtlMs;
    if (c.req.query("timeout") === "true") ttl = LEGACY_CLIENT_TTL_MS;
    if (entry.server) ttl = SERVER_ENTRY_TTL_MS;
    const strictSequence = options.strictSequence;
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      const current = await store.get(entry.static.hex());
      try {
        if (current.entry) validateIteration(current.entry, entry, { strictSequence });
        else validateFirstRegistration(entry, { strictSequence });
      } catch (error) {
        if (error instanceof EntryValidationError) return message(422, error.message);
        throw error;
      }
      if (await store.put(entry, canonical, ttl, current.versionstamp)) {
        return message(
          200,
          current.entry ? DISC_OK_MESSAGES.entryUpdated : DISC_OK_MESSAGES.entrySet,
        );
      }
    }
    log.warn("entry write kept losing to concurrent writes", { pk: entry.static.hex() });
    return message(500, DISC_MESSAGES.unexpected);
  };
  app.post("/dmsg-discovery/entry/", setEntry);
  app.post("/dmsg-discovery/entry/:pk", setEntry);

  app.delete("/dmsg-discovery/entry", async (c) => {
    const raw = await body(c);
    if (raw instanceof Response) return raw;
    const admission = admitEntry(raw, {
      purpose: "delete",
      testMode: options.testMode,
      nowNs: nowNanos(options.now()),
    });
    if (!admission.ok) return message(admission.status, admission.message);
    await store.delete(admission.entry.static.hex());
    return message(200, DISC_OK_MESSAGES.entryDeleted);
  });

  app.get("/dmsg-discovery/entries", async () => {
    const clients = await store.clients();
    return json(200, stringArray(clients.map((client) => client.pk)));
  });

  app.get("/dmsg-discovery/visorEntries", async () => {
    const clients = await store.clients();
    return json(200, stringArray(clients.filter((cl) => cl.visor).map((cl) => cl.pk)));
  });

  app.post("/dmsg-discovery/entries/batch", async (c) => {
    const raw = await body(c);
    if (raw instanceof Response) return raw;
    let keys: string[];
    try {
      keys = decodeStringList(raw);
    } catch (error) {
      if (error instanceof EntryDecodeError) return message(400, DISC_MESSAGES.badInput);
      throw error;
    }
    if (keys.length > MAX_BATCH_KEYS) return message(400, DISC_MESSAGES.badInput);
    const w = new JsonWriter();
    w.ascii("{");
    const seen = new Set<string>();
    for (const key of keys) {
      if (seen.has(key)) continue;
      const pk = parsePathKey(key.trim());
      if (!pk) continue;
      const record = await store.get(pk.hex());
      if (!record.entry) continue;
      if (seen.size > 0) w.ascii(",");
      seen.add(key);
      w.string(key);
      w.ascii(":");
      w.bytes(record.body);
    }
    w.ascii("}");
    return json(200, w.finish());
  });

  app.get("/dmsg-discovery/available_servers", async () => {
    const servers = (await store.servers()).filter((s) => s.availableSessions > 0n);
    if (servers.length === 0) return message(404, DISC_MESSAGES.noAvailableServers);
    // Go picks at random and then orders by free sessions, most first; shuffling before a
    // stable sort keeps ties in random order.
    shuffle(servers);
    servers.sort((a, b) =>
      a.availableSessions === b.availableSessions
        ? 0
        : a.availableSessions > b.availableSessions
        ? -1
        : 1
    );
    return json(200, joinJsonArray(servers.slice(0, MAX_AVAILABLE_SERVERS).map((s) => s.body)));
  });

  app.get("/dmsg-discovery/all_servers", async () => {
    const servers = await store.servers();
    if (servers.length === 0) return message(404, DISC_MESSAGES.noAvailableServers);
    shuffle(servers);
    return json(200, joinJsonArray(servers.map((s) => s.body)));
  });

  app.get("/dmsg-discovery/servers/clients", async () => {
    const grouped = new Map<string, string[]>();
    for (const client of await store.clients()) {
      for (const server of client.delegatedServers ?? []) {
        const list = grouped.get(server) ?? [];
        list.push(client.pk);
        grouped.set(server, list);
      }
    }
    const w = new JsonWriter();
    w.ascii("{");
    let first = true;
    for (const [server, clients] of grouped) {
      w.ascii(`${first ? "" : ","}"${server}":`);
      w.bytes(stringArray(clients));
      first = false;
    }
    w.ascii("}");
    return json(200, w.finish());
  });

  app.get("/dmsg-discovery/server/:pk/clients", async (c) => {
    const server = parsePathKey(c.req.param("pk"));
    if (!server) return message(400, DISC_MESSAGES.badInput);
    const hex = server.hex();
    const clients = (await store.clients())
      .filter((client) => client.delegatedServers?.includes(hex))
      .map((client) => client.pk);
    // Go answers `null` (a nil slice) when no client delegates to the server.
    return json(200, stringArray(clients.length ? clients : null));
  });

  app.get("/health", () => {
    const w = new JsonWriter();
    w.ascii(`{"build_info":{"version":`);
    w.string(VERSION);
    w.ascii(`,"commit":"","date":""},"started_at":"${options.startedAt.toISOString()}"}`);
    return json(200, w.finish());
  });

  // chi answers a known path with the wrong method with an empty 405.
  for (
    const path of [
      "/dmsg-discovery/entry/:pk",
      "/dmsg-discovery/entry/",
      "/dmsg-discovery/entry",
      "/dmsg-discovery/entries",
      "/dmsg-discovery/visorEntries",
      "/dmsg-discovery/entries/batch",
      "/dmsg-discovery/available_servers",
      "/dmsg-discovery/all_servers",
      "/dmsg-discovery/servers/clients",
      "/dmsg-discovery/server/:pk/clients",
      "/health",
    ]
  ) app.all(path, () => new Response(null, { status: 405 }));

  return app;
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}
