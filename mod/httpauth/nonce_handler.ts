import type { Context, Handler } from "hono";
import type { PubKey } from "../cipher/mod.ts";
import { goParsePubKey } from "./go_errors.ts";
import { goJsonResponse, httpAuthErrorJson } from "./json.ts";
import type { NonceStore } from "./nonce_store.ts";

/**
 * The JSON of `GET /security/nonces/{pk}`: `{"edge":"<pk>","next_nonce":N}`, Go's
 * `NextNonceResponse`.
 */
export function nextNonceJson(pk: PubKey, nonce: bigint): string {
  return `{"edge":"${pk.hex()}","next_nonce":${nonce}}`;
}

/**
 * The handler of `GET /security/nonces/:pk` (Go's `NonceHandler`): the key's next expected
 * nonce, 400 with Go's JSON error for a malformed or null key.
 */
export function nonceHandler(nonces: NonceStore, param = "pk"): Handler {
  return async (c: Context) => {
    let pk: PubKey;
    try {
      pk = goParsePubKey(c.req.param(param) ?? "");
    } catch (error) {
      return goJsonResponse(400, httpAuthErrorJson(400, (error as Error).message));
    }
    if (pk.isNull()) return goJsonResponse(400, httpAuthErrorJson(400, "Invalid public key"));
    return goJsonResponse(200, nextNonceJson(pk, await nonces.nonce(pk)));
  };
}
