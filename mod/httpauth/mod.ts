/**
 * Skywire's httpauth, both sides. A request carries `SW-Public`, `SW-Nonce` and `SW-Sig`: the
 * signature (SHA-256, recoverable secp256k1) of the body followed by the key's next nonce in
 * decimal. The service hands out nonces at `GET /security/nonces/{pk}` and accepts each one
 * once. {@linkcode httpAuth} is the Hono middleware for services ({@linkcode keyLimitedAuth}
 * adds a per-key rate limit), {@linkcode nonceHandler} the nonce route, {@linkcode KvNonceStore}
 * keeps nonces in Deno KV, and {@linkcode HttpAuthClient} is the signing client.
 *
 * @module
 */
export {
  HEADER_NONCE,
  HEADER_PUBLIC,
  HEADER_SIG,
  MAX_NONCE,
  NONCE_MISMATCH_MESSAGE,
} from "./constants.ts";
export { payloadWithNonce, signRequest, verifyRequest } from "./payload.ts";
export { parseAuthHeaders, parseNonce } from "./headers.ts";
export type { RequestAuth } from "./headers.ts";
export { AuthHeaderError, HttpAuthRequestError } from "./errors.ts";
export type { HttpAuthRequestErrorOptions } from "./errors.ts";
export { KvNonceStore } from "./nonce_store.ts";
export type { NonceStore } from "./nonce_store.ts";
export { authPubKey, httpAuth, unauthorized } from "./middleware.ts";
export type { HttpAuthOptions, HttpAuthVariables, KeyLimiter } from "./middleware.ts";
export { keyLimitedAuth } from "./key_limited_auth.ts";
export type { KeyLimitedAuthOptions, KeyLimitedServiceOptions } from "./key_limited_auth.ts";
export { nextNonceJson, nonceHandler } from "./nonce_handler.ts";
export { HttpAuthClient } from "./client.ts";
export type { AuthResponse, HttpAuthClientOptions } from "./client.ts";
export { goJsonResponse, goStdJsonString, httpAuthErrorJson } from "./json.ts";
export { goParsePubKey, goParseSig, goVerifyMessage } from "./go_errors.ts";
