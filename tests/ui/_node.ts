/**
 * A real node for the UI's tests: `startUp` in this process (discovery, dmsg server, visor and
 * its web UI on 127.0.0.1, free ports, a temporary data directory), plus a small HTTP client
 * that keeps cookies like a browser.
 */
import { join } from "node:path";
import { createLogger, LogRing } from "../../mod/log/mod.ts";
import { startUp, type UpNetwork } from "../../services/up/mod.ts";
import { uiTlsDir } from "../../services/visor/mod.ts";
import type { ScryptParams } from "../../ui/mod.ts";
import { tempDir } from "../_util/temp_dir.ts";

/** scrypt settings cheap enough for tests (the default takes most of a second). */
export const TEST_SCRYPT: ScryptParams = { n: 1024, r: 8, p: 1 };
/** The password the tests set. */
export const PASSWORD = "correct horse battery";

/** A running node and its UI's address. */
export interface TestNode extends AsyncDisposable {
  /** The network (its visor, its UI server). */
  network: UpNetwork;
  /** The UI's base URL. */
  url: string;
  /** Log lines of the node. */
  logs: LogRing;
  /** With `uiTls`: an HTTP client that trusts the UI's self-signed certificate. */
  httpClient?: Deno.HttpClient;
}

/** Start a node with its web UI; dispose it to stop it and remove its data. */
export async function startTestNode(
  options: { uiSessionTtlMs?: number; uiTls?: boolean } = {},
): Promise<TestNode> {
  const dir = await tempDir("skywire-ui-test-");
  const logs = new LogRing();
  try {
    const network = await startUp({
      dataDir: join(dir.path, "up"),
      discoveryPort: 0,
      serverPort: 0,
      transportDiscoveryPort: 0,
      addressResolverPort: 0,
      routeFinderPort: 0,
      cliPort: 0,
      exitCliPort: 0,
      socksPort: 0,
      uiPort: 0,
      uiScrypt: TEST_SCRYPT,
      uiSessionTtlMs: options.uiSessionTtlMs,
      uiTls: options.uiTls,
      logs,
      logger: createLogger({ level: "debug", sink: logs.sink }),
      dmsgTuning: { updateDebounceMs: 50, reconnectBaseMs: 100 },
    });
    const httpClient = options.uiTls
      ? Deno.createHttpClient({
        caCerts: [
          await Deno.readTextFile(join(uiTlsDir(network.visorConfig.local_path), "cert.pem")),
        ],
      })
      : undefined;
    return {
      network,
      url: network.info.ui,
      logs,
      httpClient,
      async [Symbol.asyncDispose]() {
        httpClient?.close();
        await network.close();
        await dir[Symbol.asyncDispose]();
      },
    };
  } catch (error) {
    await dir[Symbol.asyncDispose]();
    throw error;
  }
}

/** An HTTP client with a cookie jar, as a browser keeps one per site. */
export class CookieClient {
  readonly base: string;
  readonly cookies = new Map<string, string>();
  readonly #client: Deno.HttpClient | undefined;

  /** A client for the site at `base` (over `client`, e.g. one that trusts its certificate). */
  constructor(base: string, client?: Deno.HttpClient) {
    this.base = base;
    this.#client = client;
  }

  /** Fetch `path` with the jar's cookies; keeps the cookies set; never follows redirects. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) {
      headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    const response = await fetch(this.base + path, {
      ...init,
      headers,
      redirect: "manual",
      client: this.#client,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const [name, value] = pair.split("=");
      const expired = attributes.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim()));
      if (expired || value === "") this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    return response;
  }

  /** Fetch and read the body as text. */
  async text(path: string, init: RequestInit = {}): Promise<{ status: number; body: string }> {
    const response = await this.fetch(path, init);
    return { status: response.status, body: await response.text() };
  }

  /** Post a form (URL-encoded). */
  async postForm(path: string, fields: Record<string, string>): Promise<Response> {
    return await this.fetch(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** The CSRF token a page carries (hidden field or meta tag). */
  static csrfOf(html: string): string {
    const match = html.match(/name="_csrf" value="([^"]+)"/) ??
      html.match(/name="csrf-token" content="([^"]+)"/);
    if (!match) throw new Error("no CSRF token on the page");
    return match[1];
  }

  /** Set the first password through the setup page and log in. */
  async setup(password = PASSWORD): Promise<Response> {
    const page = await this.text("/setup");
    const response = await this.postForm("/setup", {
      _csrf: CookieClient.csrfOf(page.body),
      password,
      confirm: password,
    });
    await response.body?.cancel();
    return response;
  }

  /** Log in through the login page. */
  async login(password = PASSWORD): Promise<Response> {
    const page = await this.text("/login");
    const response = await this.postForm("/login", {
      _csrf: CookieClient.csrfOf(page.body),
      password,
    });
    await response.body?.cancel();
    return response;
  }
}
