import { delay } from "@std/async";
import { PubKey, type SecKey } from "../../cipher/mod.ts";
import { readAllLimited } from "../../conn/mod.ts";
import { fetchFailureText } from "../../netutil/mod.ts";
import type { Entry } from "./entry.ts";
import { nowNanos } from "./entry.ts";
import { decodeEntry, decodeEntryList, decodeEntryMap, decodeStringList } from "./entry_decode.ts";
import { JsonWriter, marshalEntry } from "./entry_json.ts";
import { signEntry } from "./entry_sign.ts";
import { DiscoveryError, DiscoveryRequestError } from "./errors.ts";

// Go's PutEntry gives up after this many sequence conflicts (`putEntryMaxConflictRetries`).
const PUT_MAX_CONFLICT_RETRIES = 5;
// Go's backoff between sequence-conflict retries: 100 ms doubling up to 2 s.
const PUT_BASE_BACKOFF_MS = 100;
const PUT_MAX_BACKOFF_MS = 2_000;
const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_RESPONSE_BYTES = 16 << 20;

/** Options for {@linkcode DiscoveryClient}. */
export interface DiscoveryClientOptions {
  /** Base URL of the discovery, e.g. `http://127.0.0.1:9090`. */
  url: string;
  /** Per-request time limit in ms (default 20 s). */
  timeoutMs?: number;
  /** Largest answer body accepted, in bytes (default 16 MiB). */
  maxResponseBytes?: number;
  /** Millisecond clock for the timestamps `putEntry` writes (default `Date.now`). */
  now?: () => number;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
}

/** Per-call options. */
export interface RequestOptions {
  /** Abort the call. */
  signal?: AbortSignal;
}

/** What {@linkcode DiscoveryClient.putEntry} did. */
export interface PutEntryResult {
  /** `true` when our update was stored; `false` when a newer remote entry made us drop it. */
  applied: boolean;
  /** The entry now current: ours as signed and stored, or the newer remote one. */
  entry: Entry;
}

/** The discovery's `/health` answer. */
export interface DiscoveryHealth {
  /** Build of the service, when it says. */
  buildInfo?: { version: string; commit: string; date: string };
  /** When the service started (RFC 3339). */
  startedAt: string;
  /** The service's dmsg address, when it has one. */
  dmsgAddress?: string;
  /** dmsg servers the service is connected to. */
  dmsgServers?: string[];
}

interface Answer {
  status: number;
  body: Uint8Array;
}

function readLimited(response: Response, limit: number): Promise<Uint8Array> {
  if (!response.body) return Promise.resolve(new Uint8Array(0));
  return readAllLimited(response.body, {
    limit,
    tooLarge: () => new DiscoveryRequestError(`answer larger than ${limit} bytes`),
  });
}

function errorFromAnswer(answer: Answer): DiscoveryError {
  const text = new TextDecoder().decode(answer.body);
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed?.message === "string") {
      const code = typeof parsed.code === "number" ? parsed.code : answer.status;
      return new DiscoveryError({ status: answer.status, code, message: parsed.message });
    }
  } catch {
    // Not Go's error body (e.g. a proxy's page): report the text as it is.
  }
  return new DiscoveryError({
    status: answer.status,
    code: answer.status,
    message: text.trim() || `HTTP ${answer.status}`,
  });
}

/**
 * An HTTP client for the dmsg discovery API (Go `disc.NewHTTP`). Errors are typed:
 * {@linkcode DiscoveryError} when the service answered with `{code, message}` (its `kind` names
 * the Go sentinel), {@linkcode DiscoveryRequestError} when there was no usable answer.
 *
 * Entries read from the discovery are not signature-checked here, as in Go: a Go discovery
 * rewrites `serverType` after checking, so server entries it serves may no longer verify.
 */
export class DiscoveryClient {
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #maxResponse: number;
  readonly #now: () => number;
  readonly #fetch: typeof fetch;
  // PutEntry updates are serialised, as Go's `updateMux` does.
  #putChain: Promise<unknown> = Promise.resolve();

  /** Create a client for the discovery at `options.url`. */
  constructor(options: DiscoveryClientOptions) {
    this.#base = options.url.replace(/\/+$/, "");
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxResponse = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#now = options.now ?? Date.now;
    this.#fetch = options.fetch ?? fetch;
  }

  /** The base URL. */
  get url(): string {
    return this.#base;
  }

  async #request(
    method: string,
    path: string,
    body: Uint8Array | undefined,
    options: RequestOptions,
  ): Promise<Answer> {
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(
          new DiscoveryRequestError(
            `${method} ${path}: timed out after ${this.#timeoutMs} ms at ${this.#base}`,
          ),
        ),
      this.#timeoutMs,
    );
    const outer = options.signal;
    const onAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) onAbort();
    else outer?.addEventListener("abort", onAbort, { once: true });
    try {
      const response = await this.#fetch(this.#base + path, {
        method,
        body: body as BodyInit | undefined,
        headers: body ? { "content-type": "application/json" } : undefined,
        signal: controller.signal,
      });
      return { status: response.status, body: await readLimited(response, this.#maxResponse) };
    } catch (error) {
      if (controller.signal.aborted && controller.signal.reason !== undefined) {
        throw controller.signal.reason;
      }
      if (error instanceof DiscoveryRequestError) throw error;
      // "connection refused at http://…": the runtime's "fetch failed" hides the cause.
      throw new DiscoveryRequestError(`${method} ${path}: ${fetchFailureText(error, this.#base)}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    }
  }

  async #ok(
    method: string,
    path: string,
    body: Uint8Array | undefined,
    options: RequestOptions,
  ): Promise<Uint8Array> {
    const answer = await this.#request(method, path, body, options);
    if (answer.status !== 200) throw errorFromAnswer(answer);
    return answer.body;
  }

  #decode<T>(what: string, decode: () => T): T {
    try {
      return decode();
    } catch (error) {
      throw new DiscoveryRequestError(`malformed ${what} answer: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** `GET /dmsg-discovery/entry/{pk}`. */
  async getEntry(pk: PubKey, options: RequestOptions = {}): Promise<Entry> {
    const body = await this.#ok("GET", `/dmsg-discovery/entry/${pk.hex()}`, undefined, options);
    return this.#decode("entry", () => decodeEntry(body));
  }

  /** `POST /dmsg-discovery/entry/`: register or replace `entry` (already signed). */
  async postEntry(entry: Entry, options: RequestOptions = {}): Promise<void> {
    await this.#ok("POST", "/dmsg-discovery/entry/", marshalEntry(entry), options);
  }

  /** `DELETE /dmsg-discovery/entry`: the body is the signed entry. */
  async deleteEntry(entry: Entry, options: RequestOptions = {}): Promise<void> {
    await this.#ok("DELETE", "/dmsg-discovery/entry", marshalEntry(entry), options);
  }

  /**
   * Go's `PutEntry`: publish `entry` as the next iteration (sequence + 1, a new timestamp,
   * signed with `sk`). On a sequence conflict it reads the remote entry and retries with its
   * sequence + 1, up to 5 times with a backoff of 100 ms doubling to 2 s; when the remote entry
   * is newer than ours the update is dropped (`applied: false`). Other errors are thrown.
   */
  putEntry(entry: Entry, sk: SecKey, options: RequestOptions = {}): Promise<PutEntryResult> {
    const run = this.#putChain.then(() => this.#putEntry(entry, sk, options));
    this.#putChain = run.catch(() => {});
    return run;
  }

  async #putEntry(entry: Entry, sk: SecKey, options: RequestOptions): Promise<PutEntryResult> {
    const timestamp = nowNanos(this.#now());
    let sequence = entry.sequence + 1n;
    let backoff = PUT_BASE_BACKOFF_MS;
    for (let attempt = 0;; attempt++) {
      const signed = signEntry({ ...entry, sequence, timestamp }, sk);
      try {
        await this.postEntry(signed, options);
        return { applied: true, entry: signed };
      } catch (error) {
        if (!(error instanceof DiscoveryError) || error.kind !== "wrongSequence") throw error;
        if (attempt >= PUT_MAX_CONFLICT_RETRIES) throw error;
      }
      const remote = await this.getEntry(entry.static, options);
      if (remote.timestamp > timestamp) return { applied: false, entry: remote };
      sequence = remote.sequence + 1n;
      await delay(backoff, { signal: options.signal });
      backoff = Math.min(backoff * 2, PUT_MAX_BACKOFF_MS);
    }
  }

  /** `GET /dmsg-discovery/available_servers`: up to 512 servers with free sessions. */
  async availableServers(options: RequestOptions = {}): Promise<Entry[]> {
    const body = await this.#ok("GET", "/dmsg-discovery/available_servers", undefined, options);
    return this.#decode("server list", () => decodeEntryList(body));
  }

  /** `GET /dmsg-discovery/all_servers`. */
  async allServers(options: RequestOptions = {}): Promise<Entry[]> {
    const body = await this.#ok("GET", "/dmsg-discovery/all_servers", undefined, options);
    return this.#decode("server list", () => decodeEntryList(body));
  }

  /** `GET /dmsg-discovery/entries`: the public keys of all client entries. */
  async entries(options: RequestOptions = {}): Promise<PubKey[]> {
    const body = await this.#ok("GET", "/dmsg-discovery/entries", undefined, options);
    return this.#decode("key list", () => decodeStringList(body).map((k) => PubKey.fromHex(k)));
  }

  /** `POST /dmsg-discovery/entries/batch`: the entries of `pks` that exist, by key hex. */
  async entriesBatch(pks: PubKey[], options: RequestOptions = {}): Promise<Map<string, Entry>> {
    const w = new JsonWriter();
    w.ascii("[");
    pks.forEach((pk, i) => w.ascii(`${i > 0 ? "," : ""}"${pk.hex()}"`));
    w.ascii("]");
    const body = await this.#ok("POST", "/dmsg-discovery/entries/batch", w.finish(), options);
    return this.#decode("batch", () => decodeEntryMap(body));
  }

  /**
   * `GET /dmsg-discovery/server/{pk}/clients`: keys of the clients that delegate to `server`.
   * (The service sends key strings; Go's own client expects entries there and cannot read it.)
   */
  async serverClients(server: PubKey, options: RequestOptions = {}): Promise<PubKey[]> {
    const path = `/dmsg-discovery/server/${server.hex()}/clients`;
    const body = await this.#ok("GET", path, undefined, options);
    return this.#decode("key list", () => decodeStringList(body).map((k) => PubKey.fromHex(k)));
  }

  /** `GET /dmsg-discovery/servers/clients`: client keys grouped by delegated server key. */
  async allServerClients(options: RequestOptions = {}): Promise<Map<string, PubKey[]>> {
    const body = await this.#ok("GET", "/dmsg-discovery/servers/clients", undefined, options);
    return this.#decode("grouping", () => {
      const parsed = JSON.parse(new TextDecoder().decode(body)) ?? {};
      if (typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      const out = new Map<string, PubKey[]>();
      for (const [server, clients] of Object.entries(parsed)) {
        if (!Array.isArray(clients)) throw new Error("not a list of keys");
        out.set(server, clients.map((k) => PubKey.fromHex(String(k))));
      }
      return out;
    });
  }

  /** `GET /health`. */
  async health(options: RequestOptions = {}): Promise<DiscoveryHealth> {
    const body = await this.#ok("GET", "/health", undefined, options);
    return this.#decode("health", () => {
      const parsed = JSON.parse(new TextDecoder().decode(body));
      if (typeof parsed?.started_at !== "string") throw new Error("no started_at");
      return {
        buildInfo: parsed.build_info,
        startedAt: parsed.started_at,
        dmsgAddress: parsed.dmsg_address,
        dmsgServers: parsed.dmsg_servers,
      };
    });
  }
}
