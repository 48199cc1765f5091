/**
 * The web UI's budgets (issue 12): every page under 100 KB transferred including its scripts
 * and stylesheet; server render under 5 ms; an idle open tab costs the node no measurable CPU.
 *
 * - Sizes and render times: a real node (`startUp` in this process), each page asked for
 *   through the app in-process (no socket), median and p95 over many renders; the baseline in
 *   the same run is `/api/ping`, the smallest answer the app gives. The Visors page and a fleet
 *   member's pages (`/visors/<pk>/...`) are measured on a UI whose fleet holds the node and its
 *   exit visor.
 * - Idle CPU: a `skywire up` child with a headless Chromium tab open on the overview (live
 *   stream and all) against the same child with no tab, each for IDLE_SECONDS, in CPU time
 *   read from /proc. Skipped (one line) without Chromium.
 *
 * Run: `deno task bench` or `deno run -A --config tests/bench/deno.json tests/bench/ui_bench.ts`
 *
 * @module
 */
import { join } from "node:path";
import puppeteer from "puppeteer-core";
import { createLogger, LogRing } from "../../mod/log/mod.ts";
import { startUp } from "../../services/up/mod.ts";
import type { Fleet, FleetVisor } from "../../services/visor/fleet_types.ts";
import { localFleet } from "../../services/visor/fleet_types.ts";
import { createVisorApi } from "../../services/visor/mod.ts";
import { SCRIPT, STYLE } from "../../ui/assets/mod.ts";
import { createUiApp } from "../../ui/app.ts";
import { CookieClient, PASSWORD, TEST_SCRYPT } from "../ui/_node.ts";
import { findChromium } from "../ui/_browser.ts";
import { SkywireProcess } from "../e2e/_skywire.ts";

const PAGES = ["/", "/dmsg", "/transports", "/routes", "/apps", "/updates", "/logs", "/visors"];
// The exit visor's pages through the fleet (a member over a real `VisorApi`).
const MEMBER_PAGES = ["", "/transports", "/apps"];
const RENDERS = 300;
const PAGE_BUDGET_BYTES = 100 * 1024;
const RENDER_BUDGET_MS = 5;
const IDLE_SECONDS = 30;
const quiet = createLogger({ level: "fatal" });

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

async function timeRequests(
  request: () => Response | Promise<Response>,
): Promise<number[]> {
  for (let i = 0; i < 30; i++) await (await request()).arrayBuffer();
  const times: number[] = [];
  for (let i = 0; i < RENDERS; i++) {
    const start = performance.now();
    await (await request()).arrayBuffer();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

async function pagesAndRenders(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "skywire-ui-bench-" });
  // The log page shows what a node logs at info.
  const logs = new LogRing();
  const network = await startUp({
    logs,
    dataDir: join(dir, "up"),
    discoveryPort: 0,
    serverPort: 0,
    uiPort: 0,
    uiScrypt: TEST_SCRYPT,
    logger: createLogger({ level: "info", sink: logs.sink }),
  });
  try {
    const client = new CookieClient(network.info.ui);
    await client.setup(PASSWORD);
    const api = (await network.ui.app()).api;
    const self = localFleet(api, new Date(api.info().started_at)).list()[0];
    const exitApi = createVisorApi({ visor: network.exitVisor, config: network.visorConfig });
    const member: FleetVisor = {
      pk: exitApi.info().pk,
      local: false,
      connectedAt: new Date(),
      implementation: "skywire-deno",
      api: exitApi,
      refresh: () => Promise.resolve(),
    };
    const fleet: Fleet = {
      list: () => [self, member],
      get: (pk) => [self, member].find((v) => v.pk === pk),
      subscribe: () => () => {},
    };
    // The same node and store (the password set above), the fleet of two.
    const ui = createUiApp({ api, fleet, kv: () => network.visor.store.kv, logger: quiet });
    const app = ui.app;
    const login = await app.request("/api/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    }, { remoteAddr: { hostname: "127.0.0.1" } });
    const cookie = login.headers.getSetCookie()[0].split(";")[0];
    const assets = new TextEncoder().encode(STYLE.body).length +
      new TextEncoder().encode(SCRIPT.body).length;
    const ping = await timeRequests(() => app.request("/api/ping"));
    console.log(
      `  baseline /api/ping: median ${quantile(ping, 0.5).toFixed(3)} ms, ` +
        `p95 ${quantile(ping, 0.95).toFixed(3)} ms`,
    );
    console.log(`  assets (style + script, once per browser): ${assets} B`);
    console.log(
      "  page                  html B   +assets B   median ms   p95 ms   ratio to ping   budget",
    );
    const rows = async (target: typeof app, jar: string, paths: string[], tag: string) => {
      for (const path of paths) {
        const request = () => target.request(path, { headers: { cookie: jar } });
        const html = await (await request()).text();
        const bytes = new TextEncoder().encode(html).length;
        const times = await timeRequests(request);
        const median = quantile(times, 0.5);
        const p95 = quantile(times, 0.95);
        const ok = bytes + assets < PAGE_BUDGET_BYTES && p95 < RENDER_BUDGET_MS;
        const label = (path.length > 16 ? `/visors/…${path.slice(74)}` : path) + tag;
        console.log(
          `  ${label.padEnd(20)} ${String(bytes).padStart(7)} ${
            String(bytes + assets).padStart(10)
          } ${median.toFixed(3).padStart(11)} ${p95.toFixed(3).padStart(8)} ${
            (median / quantile(ping, 0.5)).toFixed(1).padStart(13)
          }x   ${ok ? "ok" : "OVER"}`,
        );
      }
    };
    await rows(app, cookie, [...PAGES, ...MEMBER_PAGES.map((p) => `/visors/${member.pk}${p}`)], "");
    // The same through up's own UI, whose fleet reaches the exit visor over the dmsg hypervisor
    // link: every render of a member's page waits for its RPC answers (marked "*").
    for (let i = 0; i < 100 && !(await network.ui.app()).fleet.get(member.pk); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const jar = [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    await rows(
      (await network.ui.app()).app,
      jar,
      ["/visors", ...MEMBER_PAGES.map((p) => `/visors/${member.pk}${p}`)],
      " *",
    );
    ui.close();
  } finally {
    await network.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function cpuSeconds(pid: number): number {
  // Fields 14 and 15 of /proc/PID/stat: user and system time in clock ticks (100 per second).
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function idleWindow(pid: number): Promise<number> {
  const before = cpuSeconds(pid);
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  return cpuSeconds(pid) - before;
}

async function idleCpu(): Promise<void> {
  const chromium = findChromium();
  if (!chromium) {
    console.log("  idle CPU: skipped (no Chromium found)");
    return;
  }
  const dir = await Deno.makeTempDir({ prefix: "skywire-ui-bench-" });
  const up = new SkywireProcess([
    "up",
    "--data",
    join(dir, "up"),
    "--json",
    "--ui-port",
    "0",
    "--discovery-port",
    "0",
    "--server-port",
    "0",
    "--log-level",
    "warn",
  ]);
  const browser = await puppeteer.launch({
    executablePath: chromium,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
  try {
    const info = JSON.parse(await up.line(/^\{/, 60_000));
    // Settle after start-up, then measure with no tab.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const noTab = await idleWindow(up.pid);
    const page = await browser.newPage();
    await page.goto(info.ui);
    await page.type("#password", PASSWORD);
    await page.type("#confirm", PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const withTab = await idleWindow(up.pid);
    const percent = (s: number) => (100 * s / IDLE_SECONDS).toFixed(2);
    console.log(
      `  idle CPU of the node over ${IDLE_SECONDS} s: no tab ${noTab.toFixed(2)} s ` +
        `(${percent(noTab)} %), overview tab open ${withTab.toFixed(2)} s ` +
        `(${percent(withTab)} %), difference ${(withTab - noTab).toFixed(2)} s`,
    );
  } finally {
    await browser.close();
    up.kill("SIGTERM");
    await up.exit().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

/** Print page sizes, render times and idle CPU against their budgets. */
export async function main(): Promise<void> {
  await pagesAndRenders();
  await idleCpu();
}

if (import.meta.main) await main();
