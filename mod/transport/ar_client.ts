/**
 * The address resolver client a visor's stcpr network uses (Go `addrresolver` HTTP client):
 * bind where we listen, resolve where a peer listens, unbind on the way out. Every call is an
 * httpauth request (`mod/httpauth`), answered as Go's resolver answers.
 *
 * @module
 */
import type { KeyPair, PubKey } from "../cipher/mod.ts";
import { HttpAuthClient, HttpAuthRequestError } from "../httpauth/mod.ts";
import {
  asObject,
  encodeLine,
  field,
  goJsonString,
  parseJson,
  readArray,
  readBool,
  readString,
} from "./_json.ts";
import { TransportType } from "./constants.ts";
import { AddressNotFoundError, MalformedFrameError } from "./errors.ts";
import type { AddressResolver, ResolvedAddress } from "./registry.ts";

/** Options for {@linkcode AddressResolverClient}. */
export interface AddressResolverClientOptions {
  /** The resolver's base URL (`http://host:9093`). */
  url: string;
  /** The visor's keys: requests are signed with them and the binding is under `pk`. */
  keys: KeyPair;
  /** Deadline of one request, ms (default 10 s). */
  timeoutMs?: number;
  /** The fetch to use (tests may wrap it). */
  fetch?: typeof fetch;
}

const decoder = new TextDecoder();

/** Most bytes of a resolve answer: a handful of addresses. */
const MAX_RESOLVE_ANSWER = 64 * 1024;

/**
 * Decode a resolve answer, Go's `VisorData` JSON (`remote_addr`, `is_local`, `port`,
 * `addresses`), as Go's `encoding/json` reads it. Throws {@linkcode MalformedFrameError}.
 */
export function decodeVisorData(bytes: Uint8Array): ResolvedAddress {
  if (bytes.length > MAX_RESOLVE_ANSWER) {
    throw new MalformedFrameError(`resolve answer larger than ${MAX_RESOLVE_ANSWER} bytes`);
  }
  const object = asObject(parseJson(bytes, "visor data"), "visor data");
  const addresses = readArray(field(object, "addresses"), "addresses") ?? [];
  return {
    remoteAddr: readString(field(object, "remote_addr"), "remote_addr"),
    isLocal: readBool(field(object, "is_local"), "is_local"),
    port: readString(field(object, "port"), "port"),
    addresses: addresses.map((item, i) => readString(item, `addresses[${i}]`)),
  };
}

/** The text of Go's `{"error":"…"}` answer, or the body itself. */
function errorText(body: Uint8Array): string {
  const text = decoder.decode(body).trim();
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed?.error === "string") return parsed.error;
  } catch {
    // Not JSON: the text is the message.
  }
  return text;
}

/** An httpauth client for the address resolver, implementing {@linkcode AddressResolver}. */
export class AddressResolverClient implements AddressResolver {
  readonly #http: HttpAuthClient;

  /** Create the client; nothing is sent until the first call. */
  constructor(options: AddressResolverClientOptions) {
    this.#http = new HttpAuthClient({
      baseUrl: options.url,
      pk: options.keys.pk,
      sk: options.keys.sk,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    });
  }

  /** The resolver's base URL. */
  get url(): string {
    return this.#http.baseUrl;
  }

  /**
   * Bind our stcpr `port` and interface `addresses` (Go `BindSTCPR`). The resolver binds the
   * IP it sees us come from, and only when that IP is among `addresses`. Throws
   * {@linkcode HttpAuthRequestError} with the resolver's reason when it refuses.
   */
  async bind(port: number, addresses: string[]): Promise<void> {
    const body = encodeLine(
      `{"port":${goJsonString(String(port))},"addresses":[${
        addresses.map(goJsonString).join(",")
      }]}`,
    );
    const res = await this.#http.request("POST", "/bind/stcpr", body);
    if (res.status !== 200) {
      const reason = errorText(res.body);
      throw new HttpAuthRequestError(`bind stcpr: status ${res.status}: ${reason}`, {
        status: res.status,
        serverMessage: reason,
      });
    }
  }

  /** Withdraw our stcpr binding (Go's `DELETE /bind/stcpr`, sent when a visor closes). */
  async unbind(): Promise<void> {
    const res = await this.#http.request("DELETE", "/bind/stcpr");
    if (res.status !== 200) {
      throw new HttpAuthRequestError(`unbind stcpr: status ${res.status}`, { status: res.status });
    }
  }

  /**
   * Where the visor `pk` listens for stcpr. Throws {@linkcode AddressNotFoundError} when it
   * has no binding, {@linkcode MalformedFrameError} for an answer that is not `VisorData`, and
   * {@linkcode HttpAuthRequestError} for anything else.
   */
  async resolve(pk: PubKey): Promise<ResolvedAddress> {
    const res = await this.#http.request("GET", `/resolve/${TransportType.stcpr}/${pk.hex()}`);
    if (res.status === 404) {
      throw new AddressNotFoundError(`no stcpr address for ${pk.hex()} at the address resolver`);
    }
    if (res.status !== 200) {
      throw new HttpAuthRequestError(`resolve ${pk.hex()}: status ${res.status}`, {
        status: res.status,
        serverMessage: errorText(res.body),
      });
    }
    return decodeVisorData(res.body);
  }
}
