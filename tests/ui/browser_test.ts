/**
 * The web UI in a real browser (Debian's Chromium via puppeteer-core) against a running
 * `skywire up` (a child process, as a newcomer starts it): the first password and login,
 * every page with the node's real data, live log lines over SSE, keyboard-only navigation,
 * CSRF refusals, logout, and an expired session sent to the login page. Screenshots of every
 * page go to dist/screenshots/ for review. Skips (one line) without Chromium.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import type { Page } from "puppeteer-core";
import { join } from "node:path";
import { tempDir } from "../_util/temp_dir.ts";
import { skywire, SkywireProcess, startUp } from "../e2e/_skywire.ts";
import type { UpInfo } from "../../services/up/mod.ts";
import { writeVisorConfig } from "../services/visor/_config.ts";
import {
  actionableElements,
  browserSkipReason,
  launchBrowser,
  type PageDocument,
  screenshot,
  tabThrough,
} from "./_browser.ts";

// The functions given to page.evaluate run in the page, where this is the DOM's document.
declare const document: PageDocument;

const skip = browserSkipReason();
if (skip) console.log(`tests/ui/browser_test.ts skipped: ${skip}`);

const PASSWORD = "correct horse battery";
const PAGES = [
  { path: "/", name: "overview", heading: "Overview" },
  { path: "/dmsg", name: "dmsg", heading: "DMSG" },
  { path: "/transports", name: "transports", heading: "Transports" },
  { path: "/routes", name: "routes", heading: "Routes" },
  { path: "/apps", name: "apps", heading: "Apps" },
  { path: "/updates", name: "updates", heading: "Updates" },
  { path: "/logs", name: "logs", heading: "Logs" },
];

async function text(page: Page, selector: string): Promise<string> {
  return await page.$eval(selector, (el) => (el as unknown as { innerText: string }).innerText);
}

async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/** A `skywire up` child, and a browser page on its UI that has set the first password. */
interface UpPage {
  page: Page;
  info: UpInfo;
  /** A temporary directory the test may use (up's data is in `up/` below it). */
  dir: string;
  /** Errors thrown by the UI's own scripts so far. */
  errors: string[];
}

/**
 * Start `skywire up` (with `extra` flags), open a page on its UI, check that the first visit
 * asks for a password and set it; run `fn`, then close the browser and check that up stops
 * cleanly on SIGTERM.
 */
async function withUpPage(extra: string[], fn: (t: UpPage) => Promise<void>): Promise<void> {
  await using dir = await tempDir("skywire-browser-");
  const { up, info } = await startUp(join(dir.path, "up"), { extra });
  await using _up = up;
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 860 });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(info.ui);
    assertEquals(new URL(page.url()).pathname, "/setup");
    await screenshot(page, "setup");
    await page.type("#password", PASSWORD);
    await page.type("#confirm", PASSWORD);
    await submit(page, "button[type=submit]");
    assertEquals(new URL(page.url()).pathname, "/");
    await fn({ page, info, dir: dir.path, errors });
  } finally {
    await browser.close();
  }
  up.kill("SIGTERM");
  assertEquals(await up.exit(), 0);
}

Deno.test({
  name: "browser: set the password, see every page with real data, live logs, keyboard, CSRF",
  ignore: skip !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // The first visit asks for the password (withUpPage checks and sets it).
    await withUpPage([], async ({ page, info, errors }) => {
      // Every page: its heading, the node's real data, a screenshot, and every action
      // reachable with Tab alone.
      for (const { path, name, heading } of PAGES) {
        await page.goto(info.ui + path);
        assertEquals(await text(page, "main h1"), heading, path);
        const body = await text(page, "main");
        if (path === "/") {
          assertStringIncludes(body, info.visor.pk);
          assertStringIncludes(body, info.discovery);
          assertStringIncludes(body, "1 of 1 sessions");
        } else if (path === "/dmsg") {
          assertStringIncludes(body, info.dmsg_server.address);
          assertStringIncludes(body, info.dmsg_server.pk.slice(0, 8));
        } else if (path === "/transports") {
          // up's one transport: the visor's stcpr link to its exit visor (the proxy's way out).
          assertStringIncludes(body, info.exit_visor.pk.slice(0, 8));
          assertStringIncludes(body, "Add a transport");
        } else if (path === "/updates") {
          assertStringIncludes(body, "the updater is off");
        } else if (path === "/logs") {
          assertStringIncludes(body, "visor started");
          assertStringIncludes(body, `pk=${info.visor.pk}`);
        } else if (path === "/apps") {
          // up's visor runs the proxy client; its address is shown for a browser's settings.
          assertMatch(body, /skysocks-client\s+running\s+13\s+yes\s+127\.0\.0\.1:\d+/);
        } else {
          // The proxy client's route group to the exit visor and its two rules.
          assertEquals(path, "/routes");
          assertStringIncludes(body, "Forward");
          assertStringIncludes(body, "Consume");
          assertStringIncludes(body, `${info.exit_visor.pk.slice(0, 8)}…`);
          assertStringIncludes(body, "open");
        }
        await screenshot(page, name);
        const reached = await tabThrough(page);
        const actionable = await actionableElements(page);
        // The skip link, seven navigation links and "Log out" at least.
        assert(actionable.length >= 9, `${path}: ${actionable.length} actionable elements`);
        for (const element of actionable) {
          assert(reached.includes(element), `${path}: Tab never reaches ${element}`);
        }
      }

      // The fleet: up's exit visor lists this node in `hypervisors`, so once its link is up
      // (seconds after start) the Visors page lists both, this node first, as the API does.
      const listed = async () =>
        await page.evaluate(async () =>
          (await (await fetch("/api/visors")).json()).map((v: { local_pk: string }) => v.local_pk)
        );
      for (let i = 0; i < 150 && (await listed()).length < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await page.goto(info.ui + "/visors");
      assertEquals(await text(page, "main h1"), "Visors");
      const rows = await page.evaluate(() =>
        [...document.querySelectorAll("#live-visors tr[data-pk]")].map((e) => e.dataset.pk)
      );
      assertEquals(rows, [info.visor.pk, info.exit_visor.pk]);
      assertEquals(await listed(), rows);
      const exitRow = await text(page, `tr[data-pk="${info.exit_visor.pk}"]`);
      assertMatch(exitRow, /skywire-deno\s+\S+\s+\S+\s+1\s+1\s+\d{4}-/);
      await screenshot(page, "visors");
      const fleetReached = await tabThrough(page);
      for (const element of await actionableElements(page)) {
        assert(fleetReached.includes(element), `/visors: Tab never reaches ${element}`);
      }
      // Open the exit visor from its row, then its transports page from the navigation: its
      // own transport (back to this node) with actions on its own pages, all keyboard-reachable.
      const exitBase = `/visors/${info.exit_visor.pk}`;
      await submit(page, `a[href="${exitBase}"]`);
      assertEquals(await text(page, "main h1"), "Overview");
      assertStringIncludes(await text(page, "main"), info.exit_visor.pk);
      await screenshot(page, "visor-overview");
      await submit(page, `nav a[href="${exitBase}/transports"]`);
      assertEquals(new URL(page.url()).pathname, `${exitBase}/transports`);
      assertStringIncludes(await text(page, "main"), info.visor.pk.slice(0, 8));
      const tid = await page.$eval(
        "main td code",
        (c) => (c as unknown as { textContent: string }).textContent,
      );
      assert(
        await page.$(`main form[action="${exitBase}/transports/${tid}/remove"]`),
        "the remove action is the exit visor's",
      );
      assert(await page.$(`main form[action="${exitBase}/transports"]`), "add on the exit visor");
      await screenshot(page, "visor-transports");
      const visorReached = await tabThrough(page);
      for (const element of await actionableElements(page)) {
        assert(visorReached.includes(element), `visor transports: Tab never reaches ${element}`);
      }
      // A visor that is not connected: a clear page, not an error.
      const gone = "02" + "ab".repeat(32);
      const response = await page.goto(`${info.ui}/visors/${gone}/apps`);
      assertEquals(response?.status(), 404);
      assertStringIncludes(await text(page, "main"), "This visor is not connected");

      // A keyboard user checks the store: Tab to "Check now", Enter.
      await page.goto(info.ui + "/");
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press("Tab");
        const label = await page.evaluate(() => document.activeElement?.textContent?.trim());
        if (label === "Check now") break;
      }
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      assertStringIncludes(await text(page, "main"), "Store check: every store is healthy.");

      // Live log lines: a refused login elsewhere shows up on the open log page, no reload.
      await page.goto(info.ui + "/logs?level=warn");
      await page.waitForFunction(() => document.body.dataset.live === "logs");
      const refused = await fetch(`${info.ui}/api/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: "not the password" }),
      });
      assertEquals(refused.status, 401);
      await refused.body?.cancel();
      await page.waitForFunction(
        () => document.getElementById("log-lines")?.textContent?.includes("UI login refused"),
        { timeout: 10_000 },
      );

      // CSRF: the page's own fetch without the token is refused; with it, it passes.
      const statuses = await page.evaluate(async () => {
        const token = document.querySelector("meta[name=csrf-token]")!.content;
        const without = await fetch("/stores/check", { method: "POST" });
        const wrong = await fetch("/stores/check", {
          method: "POST",
          headers: { "x-csrf-token": "x".repeat(43) },
        });
        const right = await fetch("/stores/check", {
          method: "POST",
          headers: { "x-csrf-token": token },
        });
        return [without.status, wrong.status, right.status];
      });
      assertEquals(statuses, [403, 403, 200]);

      // Log out; the pages are closed again; log back in.
      await submit(page, "header form button");
      assertEquals(new URL(page.url()).pathname, "/login");
      await screenshot(page, "login");
      await page.goto(info.ui + "/dmsg");
      assertEquals(new URL(page.url()).pathname, "/login");
      await page.type("#password", PASSWORD);
      await submit(page, "main button[type=submit]");
      assertEquals(new URL(page.url()).pathname, "/dmsg");
      assertEquals(errors, []);
    });
  },
});

Deno.test({
  name: "browser: an expired session is sent to the login page, and back after logging in",
  ignore: skip !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withUpPage(["--ui-session-ttl", "3s"], async ({ page, info }) => {
      await page.goto(info.ui + "/updates");
      assertEquals(await text(page, "main h1"), "Updates");
      // Wait for the expiry by asking again rather than by a fixed sleep.
      const deadline = performance.now() + 15_000;
      while (new URL(page.url()).pathname !== "/login") {
        assert(performance.now() < deadline, "the session never expired");
        await new Promise((resolve) => setTimeout(resolve, 250));
        await page.goto(info.ui + "/updates");
      }
      const url = new URL(page.url());
      assertEquals(url.searchParams.get("next"), "/updates");
      await page.type("#password", PASSWORD);
      await submit(page, "main button[type=submit]");
      assertEquals(new URL(page.url()).pathname, "/updates");
    });
  },
});

Deno.test({
  name: "browser: a transport added in the UI is seen by the CLI, and removed from the UI",
  ignore: skip !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withUpPage([], async ({ page, info, dir }) => {
      // A second visor on up's network to make a transport to.
      await Deno.mkdir(join(dir, "peer"));
      const { path, config } = await writeVisorConfig({
        dir: join(dir, "peer"),
        discovery: info.discovery,
        edit: (c) => {
          c.log_level = "info";
          c.dmsg.servers = [{
            static: info.dmsg_server.pk,
            server: { address: info.dmsg_server.address },
          }];
          c.transport.discovery = info.transport_discovery;
          c.transport.address_resolver = info.address_resolver;
          c.cli_addr = "127.0.0.1:0";
          delete c.hypervisor;
        },
      });
      await using peer = new SkywireProcess(["visor", "-c", path]);
      await peer.line(/booted OK/, 30_000, "stderr");
      await page.goto(info.ui + "/transports");
      await page.type("#remote_pk", config.pk);
      await page.select("#type", "dmsg");
      await submit(page, "main form[action='/transports'] button[type=submit]");
      const added = await text(page, "main");
      assertStringIncludes(added, "added.");
      assertStringIncludes(added, config.pk.slice(0, 8));
      await screenshot(page, "transports-added");

      const ls = await skywire([
        "cli",
        "visor",
        "tp",
        "ls",
        "--rpc",
        info.visor.cli_addr,
        "--json",
      ]);
      assertEquals(ls.code, 0, ls.stderr);
      const listed: Array<{ id: string; remote_pk: string; type: string }> = JSON.parse(
        ls.stdout,
      );
      // Besides up's own transport to its exit visor.
      const mine = listed.filter((tp) => tp.remote_pk !== info.exit_visor.pk);
      assertEquals(mine.map((tp) => [tp.remote_pk, tp.type]), [[config.pk, "dmsg"]]);

      await submit(page, `main td form[action='/transports/${mine[0].id}/remove'] button`);
      assertStringIncludes(await text(page, "main"), "removed.");
      const after = await skywire([
        "cli",
        "visor",
        "tp",
        "ls",
        "--rpc",
        info.visor.cli_addr,
        "--json",
      ]);
      assertEquals(
        JSON.parse(after.stdout).map((tp: { remote_pk: string }) => tp.remote_pk),
        [info.exit_visor.pk],
      );
      peer.kill("SIGINT");
      assertEquals(await peer.exit(), 0);
    });
  },
});
