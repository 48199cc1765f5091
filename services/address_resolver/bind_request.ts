/**
 * The body of `POST /bind/stcpr`, Go's `addrresolver.LocalAddresses`:
 * `{"port":"<stcpr port>","addresses":["<ip>",…]}`, decoded as Go's `encoding/json` does (field
 * names case-insensitive, unknown fields ignored, `null` leaves the zero value) and then checked
 * more strictly than Go: a decimal port and IP literals only, a bounded list.
 *
 * @module
 */
import { canonicalIP, parseIP } from "../../mod/netutil/mod.ts";

/** Most addresses one visor may bind (a visor sends its interface addresses: a handful). */
export const MAX_BIND_ADDRESSES = 64;

/** What a visor announces: its stcpr port and its interface addresses. */
export interface LocalAddresses {
  /** The stcpr listening port, decimal text as Go sends it. */
  port: string;
  /** Interface addresses (IPs, Go's text form); `null` when the visor sent none (Go's nil). */
  addresses: string[] | null;
}

/** A bind body that is not valid JSON of the right shape; the message says why. */
export class BindRequestError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "BindRequestError";
  }
}

const decoder = new TextDecoder();

// Go's encoding/json matches field names case-insensitively; the last match wins.
function field(object: Record<string, unknown>, name: string): unknown {
  let found: unknown;
  for (const key of Object.keys(object)) if (key.toLowerCase() === name) found = object[key];
  return found;
}

/** Decode and check a bind body. Throws {@linkcode BindRequestError}. */
export function decodeBindRequest(body: Uint8Array): LocalAddresses {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(body));
  } catch {
    throw new BindRequestError("invalid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BindRequestError("want a JSON object");
  }
  const object = value as Record<string, unknown>;
  const port = field(object, "port") ?? "";
  if (typeof port !== "string") throw new BindRequestError("port: want a string");
  if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new BindRequestError(`port: want a decimal port 1-65535, got "${port.slice(0, 16)}"`);
  }
  const list = field(object, "addresses") ?? null;
  if (list === null) return { port, addresses: null };
  if (!Array.isArray(list)) throw new BindRequestError("addresses: want a JSON array");
  if (list.length > MAX_BIND_ADDRESSES) {
    throw new BindRequestError(`addresses: more than ${MAX_BIND_ADDRESSES}`);
  }
  const addresses = list.map((item, i) => {
    if (typeof item !== "string" || !parseIP(item)) {
      throw new BindRequestError(`addresses[${i}]: want an IP address`);
    }
    // Go compares the remote IP with these texts as written; keep them as sent.
    return item;
  });
  return { port, addresses };
}

/** Go's `%v` of a `LocalAddresses` value, as its bind refusals print it: `{1234 [a b]}`. */
export function formatLocalAddresses(local: LocalAddresses): string {
  return `{${local.port} [${(local.addresses ?? []).join(" ")}]}`;
}

/** Whether `ip` is among the announced addresses (compared in Go's canonical IP form). */
export function hasAddress(local: LocalAddresses, ip: string): boolean {
  const wanted = canonicalIP(ip);
  return (local.addresses ?? []).some((address) => canonicalIP(address) === wanted);
}
