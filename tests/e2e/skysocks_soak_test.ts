/**
 * The proxy of `skywire up` under load, as a user drives it: real curl through the SOCKS5 port
 * of a spawned `skywire up` (skysocks-client → route over stcpr → skysocks on the exit visor) to
 * a local HTTP server: 1,000 requests and 100 MB with checksums, then the exit's skysocks
 * restarted through `skywire cli visor app` while the SOCKS port stays bound, and requests
 * going through again with no user action.
 */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { curl, hasCurl } from "../_util/curl.ts";
import { sha256Hex, startHttpTarget } from "../_util/http_target.ts";
import { seededBytes } from "../_util/prng.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { skywire, startUp } from "./_skywire.ts";

const REQUESTS = 1_000;
const CURLS = 10; // each fetches REQUESTS / CURLS URLs, 4 at a time
const DOWNLOADS = 2;
const DOWNLOAD_BYTES = 50 * 1024 * 1024;

Deno.test({
  name: "skywire up's proxy: 1,000 requests and 100 MB intact, and it follows an exit restart",
  ignore: !hasCurl,
  async fn() {
    await using dir = await tempDir();
    await using target = await startHttpTarget();
    const { up, info } = await startUp(join(dir.path, "up"), { extra: ["--log-level", "warn"] });
    await using _up = up;
    const socks = info.socks5;
    assert(socks, "up printed a SOCKS5 address");
    const via = ["--socks5-hostname", socks];
    const base = `http://127.0.0.1:${target.port}`;
    const started = performance.now();

    // 1,000 small requests, ten curls of a hundred URLs, four curls at a time; each request
    // its own connection (no keep-alive), so each is a SOCKS handshake and a mux stream.
    const perCurl = REQUESTS / CURLS;
    for (let batch = 0; batch < CURLS; batch += 4) {
      const results = await Promise.all(
        Array.from({ length: Math.min(4, CURLS - batch) }, (_, i) =>
          curl([
            ...via,
            "-H",
            "Connection: close",
            ...Array.from(
              { length: perCurl },
              (_, j) => `${base}/bytes/1024?seed=${batch + i + j}`,
            ),
          ], 120)),
      );
      for (const result of results) {
        assertEquals(result.code, 0, result.stderr);
        assertEquals(result.body.length, perCurl * 1024);
      }
    }
    const requestsMs = performance.now() - started;

    // 100 MB in two 50 MB downloads at once, each checked.
    const downloadStart = performance.now();
    for (let pair = 0; pair < DOWNLOADS; pair += 2) {
      const results = await Promise.all(
        [pair, pair + 1].map((seed) =>
          curl([...via, `${base}/bytes/${DOWNLOAD_BYTES}?seed=${seed}`], 300)
        ),
      );
      for (const [i, result] of results.entries()) {
        assertEquals(result.code, 0, result.stderr);
        assertEquals(result.body.length, DOWNLOAD_BYTES);
        assertEquals(
          await sha256Hex(result.body),
          await sha256Hex(seededBytes(DOWNLOAD_BYTES, pair + i)),
        );
      }
    }
    const downloadMs = performance.now() - downloadStart;
    assertEquals(target.requests, REQUESTS + DOWNLOADS);
    console.log(
      `${REQUESTS} requests in ${(requestsMs / 1000).toFixed(1)} s; ` +
        `${(DOWNLOADS * DOWNLOAD_BYTES) / 2 ** 20} MiB in ${(downloadMs / 1000).toFixed(1)} s ` +
        `(${((DOWNLOADS * DOWNLOAD_BYTES) / 2 ** 20 / (downloadMs / 1000)).toFixed(1)} MiB/s)`,
    );

    // The exit's skysocks restarts; the client notices the lost session and redials by itself.
    const exitRpc = ["--rpc", info.exit_visor.cli_addr];
    const stop = await skywire(["cli", "visor", "app", "stop", "skysocks", ...exitRpc]);
    assertEquals(stop.code, 0, stop.stderr);
    const start = await skywire(["cli", "visor", "app", "start", "skysocks", ...exitRpc]);
    assertEquals(start.code, 0, start.stderr);
    const after = await curl([...via, `${base}/hello`], 60);
    assertEquals(after.code, 0, after.stderr);
    const status = await skywire([
      "cli",
      "visor",
      "proxy",
      "status",
      "--json",
      "--rpc",
      info.visor.cli_addr,
    ]);
    const [proxy] = JSON.parse(status.stdout);
    assertEquals(proxy.session.state, "up");
    assert(proxy.session.reconnects >= 1, `reconnects ${proxy.session.reconnects}`);

    up.kill("SIGINT");
    assertEquals(await up.exit(), 0);
  },
});
