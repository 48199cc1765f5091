/**
 * The lookup shortcut answers `GET /entry/{pk}` as the app does, byte for byte (Date aside):
 * one set of handlers served twice over real sockets and a real KV file, with and without the
 * shortcut, asked the same requests raw. The shortcut draws on the app's rate-limit buckets,
 * and leaves to the app what only the store or a debug log line can serve.
 */
import { assertEquals, assertNotEquals } from "@std/assert";
import { join } from "node:path";
import { parseRequestHead } from "../../../mod/dmsg_http/mod.ts";
import { serveHttp } from "../../../mod/http/mod.ts";
import { createLogger } from "../../../mod/log/mod.ts";
import { openStore } from "../../../mod/store/mod.ts";
import {
  createDiscoveryHandlers,
  type DiscoveryAppOptions,
  DiscoveryStore,
  EntryCache,
  EntryService,
  lookupShortcut,
} from "../../../services/dmsg_discovery/mod.ts";
import { tempDir } from "../../_util/temp_dir.ts";
import { clientEntry, generateKeyPair, post } from "./_harness.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One raw HTTP/1.1 exchange on a fresh connection; the answer with its Date value blanked. */
async function raw(url: string, target: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(enc.encode(`GET ${target} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`));
    let text = "";
    const buf = new Uint8Array(16 * 1024);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n));
      const end = text.indexOf("\r\n\r\n");
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? NaN);
      if (end >= 0 && text.length >= end + 4 + length) break;
    }
    return text.replace(/^date: .*$/im, "date: -");
  } finally {
    conn.close();
  }
}

async function withStore(
  warm: boolean,
  run: (store: DiscoveryStore, now: () => number) => void | Promise<void>,
): Promise<void> {
  await using dir = await tempDir("skywire-disc-short-");
  const logger = createLogger({ level: "error" });
  const kv = await openStore({ path: join(dir.path, "discovery.kv"), logger });
  try {
    const now = Date.now;
    const store = new DiscoveryStore(() => kv.kv, now, logger, new EntryCache());
    await store.upgrade();
    if (warm) await store.warmCache();
    await run(store, now);
  } finally {
    kv.close();
  }
}

function appOptions(store: DiscoveryStore, now: () => number): DiscoveryAppOptions {
  return {
    store,
    testMode: true,
    now,
    logger: createLogger({ level: "error" }),
    rateLimit: false,
    maxBodyBytes: 64 * 1024,
    clientEntryTtlMs: 0,
    strictSequence: true,
    authPassphrase: "",
    officialServers: new Set(),
    startedAt: new Date(now()),
  };
}

Deno.test("the shortcut answers lookups as the app does, and shares its rate limit", async () => {
  await withStore(true, async (store, now) => {
    // Per IP: a burst of 13 and (nearly) no refill; every request below takes one token.
    const { app, shortcut } = createDiscoveryHandlers({
      ...appOptions(store, now),
      rateLimit: { ratePerSecond: 0.001, burst: 13 },
    });
    const fast = await serveHttp({ addr: "127.0.0.1:0", fetch: app.fetch, shortcut });
    const slow = await serveHttp({ addr: "127.0.0.1:0", fetch: app.fetch });
    try {
      const stored = generateKeyPair();
      const entry = clientEntry(stored, { ms: now() });
      assertEquals((await post(fast.url, entry)).status, 200);
      const pk = stored.pk.hex();
      const targets = [
        pk, // stored: 200 and its JSON
        pk.toUpperCase(), // any case
        generateKeyPair().pk.hex(), // a key, not stored: 404
        "0".repeat(66), // the null key: 404
        "05" + pk.slice(2), // a key's shape, not a key: 400
      ].map((t) => `/dmsg-discovery/entry/${t}`);
      for (const target of targets) {
        const viaShortcut = await raw(fast.url, target);
        assertEquals(viaShortcut, await raw(slow.url, target), target);
      }
      assertEquals((await raw(fast.url, targets[0])).split("\r\n")[0], "HTTP/1.1 200 OK");
      assertEquals((await raw(fast.url, targets[2])).split("\r\n")[0], "HTTP/1.1 404 Not Found");
      // 1 POST + 10 + 2 GETs: the 14th request of this IP is refused, by either way in.
      const limited = await raw(fast.url, targets[0]);
      assertEquals(limited.split("\r\n")[0], "HTTP/1.1 429 Too Many Requests");
      assertEquals(limited, await raw(slow.url, targets[0]));
    } finally {
      await fast.close();
      await slow.close();
    }
  });
});

Deno.test("the shortcut leaves to the app what needs the store or a log line", async () => {
  const head = (target: string) =>
    parseRequestHead(enc.encode(`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`));
  const remote: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 1 };
  const pk = generateKeyPair().pk.hex();
  // A cache not filled from the store: a key it does not hold may still be in the store.
  await withStore(false, (store, now) => {
    const service = new EntryService(appOptions(store, now));
    const logger = createLogger({ level: "error" });
    assertEquals(
      lookupShortcut({ service, logger })(head(`/dmsg-discovery/entry/${pk}`), remote),
      undefined,
    );
  });
  await withStore(true, (store, now) => {
    const service = new EntryService(appOptions(store, now));
    const quiet = lookupShortcut({ service, logger: createLogger({ level: "error" }) });
    assertEquals(quiet(head(`/dmsg-discovery/entry/${pk}`), remote)?.status, 404);
    // Other shapes of the same route (a query, escapes, short text) go the app's way.
    for (
      const target of [
        `/dmsg-discovery/entry/${pk}?x=1`,
        `/dmsg-discovery/entry/%30${pk}`,
        "/dmsg-discovery/entry/abc",
        "/dmsg-discovery/entries",
        `/x/dmsg-discovery/entry/${pk}`,
      ]
    ) {
      assertEquals(quiet(head(target), remote), undefined, target);
    }
    // At debug level the app logs every request: it answers them all.
    const debug = lookupShortcut({ service, logger: createLogger({ level: "debug" }) });
    assertEquals(debug(head(`/dmsg-discovery/entry/${pk}`), remote), undefined);
    assertNotEquals(quiet(head(`/dmsg-discovery/entry/${pk}`), remote), undefined);
  });
});
