/**
 * A real browser for the UI's tests: Debian's `chromium`, driven over the DevTools protocol by
 * `puppeteer-core` (no browser download: it only drives one that is installed). Tests skip with
 * a one-line reason when no Chromium is found.
 */
import puppeteer, { type Browser, type Page } from "puppeteer-core";

/** The little of the DOM the tests' page functions use (they run in the page, not in Deno). */
export interface PageElement {
  tagName: string;
  id: string;
  textContent: string | null;
  innerText: string;
  content: string;
  offsetParent: unknown;
  dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
  getClientRects(): { length: number };
  blur(): void;
}

/** The page's `document`, as far as the tests use it. */
export interface PageDocument {
  activeElement: PageElement | null;
  body: PageElement;
  getElementById(id: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}

declare const document: PageDocument;

/** Where Chromium is looked for (`CHROME_PATH` first). */
const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The Chromium executable, or `undefined` when none is installed. */
export function findChromium(): string | undefined {
  const env = Deno.env.get("CHROME_PATH");
  for (const path of env ? [env, ...CANDIDATES] : CANDIDATES) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // Not there.
    }
  }
  return undefined;
}

/** Why browser tests cannot run here, or `undefined` when they can. */
export function browserSkipReason(): string | undefined {
  return findChromium()
    ? undefined
    : "no Chromium found (apt-get install chromium, or set CHROME_PATH)";
}

/** Start a headless Chromium; close it with `await browser.close()`. */
export async function launchBrowser(): Promise<Browser> {
  return await puppeteer.launch({
    executablePath: findChromium(),
    // Root in CI and containers: Chromium's sandbox needs user namespaces it may not have.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
    headless: true,
  });
}

/** Where CI collects the screenshots for review. */
export const SCREENSHOT_DIR = new URL("../../dist/screenshots/", import.meta.url).pathname;

/** Save a full-page screenshot as `dist/screenshots/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: true });
}

/** Describe the focused element (tag, text or name), for keyboard-navigation checks. */
export function focusedElement(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "body";
    return describe(el);
    function describe(e: PageElement): string {
      const tag = e.tagName.toLowerCase();
      const label = e.getAttribute("href") ?? e.getAttribute("name") ?? e.id ??
        "";
      return `${tag}:${label}:${(e.textContent ?? "").trim().slice(0, 40)}`;
    }
  });
}

/** Every element a keyboard user must be able to reach on the page, described alike. */
export function actionableElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const selector = "a[href], button:not([disabled]), input:not([type=hidden]):not([hidden])," +
      " select, textarea, [tabindex]:not([tabindex='-1'])";
    return [...document.querySelectorAll(selector)]
      .filter((e) => e.offsetParent !== null || e.getClientRects().length > 0)
      .map((e) => {
        const tag = e.tagName.toLowerCase();
        const label = e.getAttribute("href") ?? e.getAttribute("name") ?? e.id ?? "";
        return `${tag}:${label}:${(e.textContent ?? "").trim().slice(0, 40)}`;
      });
  });
}

/**
 * Press Tab until focus comes back around (or `max` presses) and return every element that
 * got focus, in order.
 */
export async function tabThrough(page: Page, max = 80): Promise<string[]> {
  await page.evaluate(() => document.activeElement?.blur());
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const now = await focusedElement(page);
    if (seen.length && now === seen[0]) break;
    if (now !== "body") seen.push(now);
  }
  return seen;
}
