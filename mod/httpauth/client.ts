import type { PubKey, SecKey } from "../cipher/mod.ts";
import { readAllLimited } from "../conn/mod.ts";
import { HEADER_NONCE, HEADER_PUBLIC, HEADER_SIG, MAX_NONCE } from "./constants.ts";
import { HttpAuthRequestError } from "./errors.ts";
import { parseNonce } from "./headers.ts";
import { signRequest } from "./payload.ts";

/** Options for {@linkcode HttpAuthClient}. */
export interface HttpAuthClientOptions {
  /** The service's base URL (`http://host:port`); a missing scheme means `http://`. */
  baseUrl: string;
  /** The key requests are signed with. */
  pk: PubKey;
  /** Its secret key. */
  sk: SecKey;
  /** Deadline for one exchange (request and whole answer), ms; default 10 s. */
  timeoutMs?: number;
  /** Largest answer body read, bytes; default 4 MiB. */
  maxResponseBytes?: number;
  /** The fetch to use (tests may wrap it). */
  fetch?: typeof fetch;
}

/** An answer, read whole. */
export interface AuthResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers. */
  readonly headers: Headers;
  /** The body bytes. */
  readonly body: Uint8Array;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const decoder = new TextDecoder();

/** Go's `sanitizedAddr`: add `http://` when there is no scheme, drop trailing slashes. */
function sanitizeBaseUrl(url: string): string {
  if (url === "") return "http://localhost";
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(url) ? url : `http://${url}`;
  return withScheme.replace(/\/+$/, "");
}

/** Whether `body` is Go's httpauth error object (`{"error":{"message":…,"code":…}}`). */
function isAuthError(status: number, body: Uint8Array): boolean {
  if (status !== 401) return false;
  try {
    const parsed = JSON.parse(decoder.decode(body));
    return typeof parsed?.error === "object" && parsed.error !== null &&
      typeof parsed.error.message === "string";
  } catch {
    return false;
  }
}

/**
 * A client for services behind Skywire's httpauth (transport discovery, address resolver).
 * It keeps the key's next nonce, signs each request with it, and, like Go's client, when the
 * service refuses the signature (a 401 with the httpauth error body: usually a stale nonce) it
 * fetches the nonce and sends the request once more. Requests go one at a time, so the nonce
 * sequence is never raced by the client itself.
 */
export class HttpAuthClient {
  readonly #baseUrl: string;
  readonly #pk: PubKey;
  readonly #sk: SecKey;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #fetch: typeof fetch;
  #nonce: bigint | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  /** Create a client; no request is made until the first call. */
  constructor(options: HttpAuthClientOptions) {
    this.#baseUrl = sanitizeBaseUrl(options.baseUrl);
    this.#pk = options.pk;
    this.#sk = options.sk;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#fetch = options.fetch ?? fetch;
  }

  /** The service's base URL, as requests use it. */
  get baseUrl(): string {
    return this.#baseUrl;
  }

  /** The key requests are signed with. */
  get pk(): PubKey {
    return this.#pk;
  }

  /** Ask the service for this key's next nonce (`GET /security/nonces/{pk}`). */
  async fetchNonce(): Promise<bigint> {
    const res = await this.#exchange("GET", `/security/nonces/${this.#pk.hex()}`);
    const text = decoder.decode(res.body);
    if (res.status !== 200) {
      throw new HttpAuthRequestError(`error getting current nonce: status ${res.status}`, {
        status: res.status,
        serverMessage: text.trim(),
      });
    }
    // The nonce is a uint64; read it from the text so that large values keep every digit.
    const match = /"next_nonce"\s*:\s*([0-9]+)/.exec(text);
    const nonce = match ? parseNonce(match[1]) : "missing";
    if (typeof nonce === "string") {
      throw new HttpAuthRequestError(`malformed nonce answer: ${text.slice(0, 200)}`, {
        status: res.status,
      });
    }
    return nonce;
  }

  /**
   * Send one signed request and read the whole answer. `body` is sent as is (and signed as
   * is). Throws {@linkcode HttpAuthRequestError} when there is no usable answer; an answer with
   * any status is returned.
   */
  request(method: string, path: string, body?: Uint8Array): Promise<AuthResponse> {
    const run = this.#queue.then(() => this.#signedRequest(method, path, body));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #signedRequest(method: string, path: string, body?: Uint8Array): Promise<AuthResponse> {
    const payload = body ?? new Uint8Array(0);
    this.#nonce ??= await this.fetchNonce();
    let res = await this.#send(method, path, payload, this.#nonce);
    if (isAuthError(res.status, res.body)) {
      this.#nonce = await this.fetchNonce();
      res = await this.#send(method, path, payload, this.#nonce);
    }
    // A success used the nonce. After anything else the service may or may not have used it
    // (Go's services advance only on 200, ours on every authenticated request), so ask again.
    this.#nonce = res.status >= 200 && res.status < 300
      ? (this.#nonce + 1n) & MAX_NONCE
      : undefined;
    return res;
  }

  #send(method: string, path: string, body: Uint8Array, nonce: bigint): Promise<AuthResponse> {
    const headers = new Headers({
      [HEADER_PUBLIC]: this.#pk.hex(),
      [HEADER_NONCE]: nonce.toString(),
      [HEADER_SIG]: signRequest(body, nonce, this.#sk).hex(),
    });
    return this.#exchange(method, path, body.length > 0 ? body : undefined, headers);
  }

  async #exchange(
    method: string,
    path: string,
    body?: Uint8Array,
    headers?: Headers,
  ): Promise<AuthResponse> {
    const url = this.#baseUrl + path;
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      const res = await this.#fetch(url, {
        method,
        headers,
        body: body as BodyInit | undefined,
        signal,
      });
      const bytes = res.body
        ? await readAllLimited(res.body, {
          limit: this.#maxResponseBytes,
          tooLarge: () =>
            new HttpAuthRequestError(`answer larger than ${this.#maxResponseBytes} bytes`, {
              status: res.status,
            }),
        })
        : new Uint8Array(0);
      return { status: res.status, headers: res.headers, body: bytes };
    } catch (error) {
      if (error instanceof HttpAuthRequestError) throw error;
      const reason = signal.aborted ? `no answer within ${this.#timeoutMs} ms` : String(error);
      throw new HttpAuthRequestError(`${method} ${url}: ${reason}`, { cause: error });
    }
  }
}
