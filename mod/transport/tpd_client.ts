/**
 * The transport discovery client a visor's transport manager uses (Go `tpdclient`): register
 * settled transports, look them up, delete them, and keep them alive. Every call is an httpauth
 * request (`mod/httpauth`), answered as Go's discovery answers.
 *
 * @module
 */
import { type KeyPair, type PubKey, Sig } from "../cipher/mod.ts";
import { HttpAuthClient, HttpAuthRequestError } from "../httpauth/mod.ts";
import { VERSION } from "../version/mod.ts";
import { encodeLine } from "./_json.ts";
import {
  decodeEntry,
  encodeSignedEntry,
  type SignedTransportEntry,
  type TransportEntry,
} from "./entry.ts";
import { MalformedFrameError } from "./errors.ts";
import type { TransportRegistry } from "./registry.ts";

/** Options for {@linkcode TransportDiscoveryClient}. */
export interface TransportDiscoveryClientOptions {
  /** The discovery's base URL (`http://host:9091`). */
  url: string;
  /** The visor's keys: requests are signed with them. */
  keys: KeyPair;
  /** Deadline of one request, ms (default 10 s). */
  timeoutMs?: number;
  /** The fetch to use (tests may wrap it). */
  fetch?: typeof fetch;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function fail(what: string, status: number, body: Uint8Array): never {
  const text = decoder.decode(body).trim();
  let reason = text;
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed?.error === "string") reason = parsed.error;
  } catch {
    // Not JSON: the text is the reason.
  }
  throw new HttpAuthRequestError(`${what}: status ${status}: ${reason}`, {
    status,
    serverMessage: reason,
  });
}

/**
 * Decode a JSON array of entries (Go `[]*transport.Entry`, `null` for none). Throws
 * {@linkcode MalformedFrameError} or `TransportEntryError`.
 */
export function decodeEntryList(bytes: Uint8Array): TransportEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new MalformedFrameError("entries: invalid JSON", { cause });
  }
  if (value === null) return [];
  if (!Array.isArray(value)) throw new MalformedFrameError("entries: want a JSON array");
  return value.map((item) => decodeEntry(encoder.encode(JSON.stringify(item))));
}

/**
 * An httpauth client for the transport discovery, implementing {@linkcode TransportRegistry}.
 * Failures throw {@linkcode HttpAuthRequestError} with the discovery's status and reason.
 */
export class TransportDiscoveryClient implements TransportRegistry {
  readonly #http: HttpAuthClient;
  readonly #pk: PubKey;

  /** Create the client; nothing is sent until the first call. */
  constructor(options: TransportDiscoveryClientOptions) {
    this.#pk = options.keys.pk;
    this.#http = new HttpAuthClient({
      baseUrl: options.url,
      pk: options.keys.pk,
      sk: options.keys.sk,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    });
  }

  /** The discovery's base URL. */
  get url(): string {
    return this.#http.baseUrl;
  }

  /** Register one settled transport (the countersigned entry of the settlement handshake). */
  async register(signed: SignedTransportEntry): Promise<void> {
    await this.registerMany([signed]);
  }

  /** Register several transports in one request (Go's `RegisterTransports`). */
  async registerMany(entries: SignedTransportEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const body = encodeLine(`[${entries.map(encodeSignedEntry).join(",")}]`);
    const res = await this.#http.request("POST", "/transports/", body);
    if (res.status < 200 || res.status > 299) fail("register transports", res.status, res.body);
  }

  /** Delete transport `id` (we must be an edge); an entry already gone is success. */
  async deregister(id: string): Promise<void> {
    const res = await this.#http.request("DELETE", `/transports/id:${id}`);
    if (res.status !== 200 && res.status !== 404) fail(`delete ${id}`, res.status, res.body);
  }

  /**
   * Delete several transports in one request (`POST /transports/delete-batch`), or one by one
   * when the discovery has no batch route (Go's before 2025). Resolves how many were deleted.
   */
  async deregisterMany(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const body = encodeLine(JSON.stringify(ids));
    const res = await this.#http.request("POST", "/transports/delete-batch", body);
    if (res.status === 404 || res.status === 405) {
      let deleted = 0;
      for (const id of ids) {
        const one = await this.#http.request("DELETE", `/transports/id:${id}`);
        if (one.status === 200) deleted++;
      }
      return deleted;
    }
    if (res.status !== 200) fail("delete transports", res.status, res.body);
    const answer = JSON.parse(decoder.decode(res.body));
    return typeof answer?.deleted === "number" ? answer.deleted : 0;
  }

  /** The entry of transport `id`, or `undefined` when the discovery has none. */
  async getById(id: string): Promise<TransportEntry | undefined> {
    const res = await this.#http.request("GET", `/transports/id:${id}`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) fail(`get ${id}`, res.status, res.body);
    return decodeEntry(res.body);
  }

  /** The transports of visor `pk` (an empty list when it has none). */
  async getByEdge(pk: PubKey): Promise<TransportEntry[]> {
    const res = await this.#http.request("GET", `/transports/edge:${pk.hex()}`);
    if (res.status === 404) return [];
    if (res.status !== 200) fail(`get transports of ${pk.hex()}`, res.status, res.body);
    return decodeEntryList(res.body);
  }

  /**
   * Keep the transports `ids` alive, as Go visors do every 90 s: post their entries again
   * (without signatures: only a registered entry is refreshed that way), then send the visor
   * heartbeat (`GET /v4/update`). An entry the discovery no longer has is registered again
   * from `restore` (countersigned entries) when it is there, else left out.
   */
  async heartbeat(ids: string[], restore: SignedTransportEntry[] = []): Promise<void> {
    const wanted = new Set(ids);
    if (wanted.size > 0) {
      const held = (await this.getByEdge(this.#pk)).filter((entry) => wanted.has(entry.id));
      const heldIds = new Set(held.map((entry) => entry.id));
      const lost = restore.filter((signed) =>
        wanted.has(signed.entry.id) && !heldIds.has(signed.entry.id)
      );
      const posts = [
        ...held.map((entry) => ({ entry, signatures: [Sig.zero(), Sig.zero()] as [Sig, Sig] })),
        ...lost,
      ];
      await this.registerMany(posts);
    }
    const res = await this.#http.request(
      "GET",
      `/v4/update?version=${encodeURIComponent(VERSION)}`,
    );
    // A discovery without the heartbeat route (Go's before 2025) is not an error.
    if (res.status !== 200 && res.status !== 404) fail("heartbeat", res.status, res.body);
  }
}
