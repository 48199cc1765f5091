import type { Context, MiddlewareHandler } from "hono";
import type { PubKey } from "../cipher/mod.ts";
import {
  BodyIncompleteError,
  bodyIncompleteResponse,
  BodyTooLargeError,
  bodyTooLargeResponse,
  readBody,
} from "../http/mod.ts";
import type { Logger } from "../log/mod.ts";
import { NONCE_MISMATCH_MESSAGE } from "./constants.ts";
import { goVerifyMessage } from "./go_errors.ts";
import { parseAuthHeaders } from "./headers.ts";
import { goJsonResponse, httpAuthErrorJson } from "./json.ts";
import type { NonceStore } from "./nonce_store.ts";
import { verifyRequest } from "./payload.ts";

/**
 * The context variables {@linkcode httpAuth} sets: `Hono<{ Variables: HttpAuthVariables }>`.
 * `body` is the same bytes a `bodyLimit` middleware placed before it set (or what it read).
 */
export type HttpAuthVariables = {
  /** The public key that signed the request. */
  authPk: PubKey;
  /** The whole request body. */
  body: Uint8Array;
};

/** A per-key limit, such as `RateLimiter` of `mod/http`. */
export interface KeyLimiter {
  /** Take one token for `key`; `false` when none is left. */
  allow(key: string): boolean;
}

/** Options for {@linkcode httpAuth}. */
export interface HttpAuthOptions {
  /** The service's nonces. */
  nonces: NonceStore;
  /**
   * Largest body read when no earlier middleware has set `c.get("body")` (default 64 KiB);
   * larger ones are answered 413.
   */
  maxBodyBytes?: number;
  /**
   * A per-public-key limit, applied after the signature is verified and before the nonce is
   * used, so that a refused request can be sent again with the same nonce and a forged
   * `SW-Public` cannot use up another key's allowance.
   */
  limiter?: KeyLimiter;
  /** The answer past the limit (default: 429, Go's JSON error body). */
  onLimited?: (c: Context, pk: PubKey) => Response | Promise<Response>;
  /** Where refusals are noted (debug level). */
  logger?: Logger;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Go's 401 answer: `{"error":{"message":…,"code":401}}`. */
export function unauthorized(message: string): Response {
  return goJsonResponse(401, httpAuthErrorJson(401, message));
}

/**
 * Skywire's httpauth as Hono middleware. A request must carry `SW-Public`, `SW-Nonce` (the
 * key's next expected nonce, decimal) and `SW-Sig` (the key's signature of the body followed by
 * the decimal nonce). Anything else is refused with Go's 401 and JSON body. A request that
 * passes uses its nonce up before the handler runs, so no nonce is accepted twice; the handler
 * finds the signer in `c.get("authPk")` and the body in `c.get("body")`.
 *
 * Go advances the nonce after the handler, and only when it answers 200; here it advances on
 * every authenticated request. Go's client keeps its own count, and when the two disagree it
 * gets Go's "SW-Nonce does not match", fetches the nonce and sends the request again.
 */
export function httpAuth(
  options: HttpAuthOptions,
): MiddlewareHandler<{ Variables: HttpAuthVariables }> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.logger;
  return async (c, next) => {
    let auth;
    try {
      auth = parseAuthHeaders(c.req.raw.headers);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log?.debug("httpauth: bad headers", { path: c.req.path, error: message });
      return unauthorized(message);
    }
    const expected = await options.nonces.nonce(auth.pk);
    if (auth.nonce !== expected) {
      log?.debug("httpauth: nonce mismatch", {
        pk: auth.pk.hex(),
        want: expected.toString(),
        got: auth.nonce.toString(),
      });
      return unauthorized(NONCE_MISMATCH_MESSAGE);
    }
    let body = c.get("body") as Uint8Array | undefined;
    if (body === undefined) {
      try {
        body = await readBody(c.req.raw, maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError) return bodyTooLargeResponse();
        if (!(error instanceof BodyIncompleteError)) throw error;
        // The client went away mid-body; nobody may be left to read the answer.
        log?.debug("httpauth: request body incomplete", { path: c.req.path });
        return bodyIncompleteResponse();
      }
    }
    try {
      verifyRequest(body, auth.nonce, auth.pk, auth.sig);
    } catch (error) {
      const message = goVerifyMessage(error);
      log?.debug("httpauth: bad signature", { pk: auth.pk.hex(), error: message });
      return unauthorized(message);
    }
    if (options.limiter && !options.limiter.allow(auth.pk.hex())) {
      log?.debug("httpauth: rate limited", { pk: auth.pk.hex(), path: c.req.path });
      return options.onLimited
        ? await options.onLimited(c, auth.pk)
        : goJsonResponse(429, httpAuthErrorJson(429, "rate limit exceeded"));
    }
    if (!(await options.nonces.consume(auth.pk, auth.nonce))) {
      // Another request with this nonce got there first.
      log?.debug("httpauth: nonce used concurrently", { pk: auth.pk.hex() });
      return unauthorized(NONCE_MISMATCH_MESSAGE);
    }
    c.set("authPk", auth.pk);
    c.set("body", body);
    await next();
  };
}

/** The public key {@linkcode httpAuth} authenticated for this request. */
export function authPubKey(c: Context): PubKey {
  const pk = c.get("authPk") as PubKey | undefined;
  if (!pk) throw new Error("authPubKey: the route is not behind the httpAuth middleware");
  return pk;
}
