import type { PubKey, Sig } from "../cipher/mod.ts";
import { HEADER_NONCE, HEADER_PUBLIC, HEADER_SIG, MAX_NONCE } from "./constants.ts";
import { AuthHeaderError } from "./errors.ts";
import { goParsePubKey, goParseSig } from "./go_errors.ts";

/** The authentication a request carries in its `SW-*` headers. */
export interface RequestAuth {
  /** Who signed (may be the null key: Go accepts an all-zero text; verification then fails). */
  pk: PubKey;
  /** The nonce the request was signed with. */
  nonce: bigint;
  /** The signature of body ‖ decimal(nonce). */
  sig: Sig;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Parse a decimal nonce as Go's `strconv.ParseUint(s, 10, 64)`: digits only, no sign, at most
 * 2^64-1. Returns the error text Go would give after "error parsing SW-Nonce: ".
 */
export function parseNonce(text: string): bigint | string {
  if (!/^[0-9]+$/.test(text)) return "invalid syntax";
  const value = BigInt(text);
  return value > MAX_NONCE ? "value out of range" : value;
}

/**
 * Read `SW-Public`, `SW-Sig` and `SW-Nonce` in Go's order with Go's messages. Throws
 * {@linkcode AuthHeaderError} for the first one missing or malformed.
 */
export function parseAuthHeaders(headers: Headers): RequestAuth {
  const publicText = headers.get(HEADER_PUBLIC) ?? "";
  if (publicText === "") throw new AuthHeaderError("SW-Public missing");
  let pk: PubKey;
  try {
    pk = goParsePubKey(publicText);
  } catch (error) {
    throw new AuthHeaderError(`error parsing SW-Public: ${message(error)}`);
  }
  const sigText = headers.get(HEADER_SIG) ?? "";
  if (sigText === "") throw new AuthHeaderError("SW-Sig missing");
  let sig: Sig;
  try {
    sig = goParseSig(sigText);
  } catch (error) {
    throw new AuthHeaderError(`error parsing SW-Sig:'${sigText}': ${message(error)}`);
  }
  const nonceText = headers.get(HEADER_NONCE) ?? "";
  if (nonceText === "") throw new AuthHeaderError("SW-Nonce missing");
  const nonce = parseNonce(nonceText);
  if (typeof nonce === "string") throw new AuthHeaderError(`error parsing SW-Nonce: ${nonce}`);
  return { pk, nonce, sig };
}
