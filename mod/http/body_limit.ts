/**
 * Bounded request bodies: {@linkcode readBody} reads one with a byte limit, and the
 * {@linkcode bodyLimit} middleware does it before the handler runs and hands the bytes on as
 * `c.get("body")`.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { readAllLimited } from "../conn/mod.ts";
import { readRequestBody } from "../dmsg_http/request_body.ts";
import type { Logger } from "../log/mod.ts";
import { messageResponse } from "./json.ts";

/** A request body over the size limit. */
export class BodyTooLargeError extends Error {
  /** Create the error. */
  constructor(limit: number) {
    super(`request body larger than ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * The request body ended before it was complete: the client disconnected or the connection
 * was cut mid-body. The client's doing (or the network's), not a server fault.
 */
export class BodyIncompleteError extends Error {
  /** Create the error. */
  constructor(options?: ErrorOptions) {
    super("request body incomplete: the client went away mid-body", options);
    this.name = "BodyIncompleteError";
  }
}

/**
 * Read a request body, refusing more than `limit` bytes: a declared `content-length` over the
 * limit is refused before reading, and a chunked body is cut off as soon as it passes it.
 * Throws {@linkcode BodyTooLargeError}, or {@linkcode BodyIncompleteError} when the body ends
 * early.
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (declared > limit) {
    await request.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(limit);
  }
  if (!request.body) return new Uint8Array(0);
  const tooLarge = () => new BodyTooLargeError(limit);
  try {
    // From the connection when our server made the request; else through its stream.
    return await (readRequestBody(request, limit, tooLarge) ??
      readAllLimited(request.body, { limit, tooLarge }));
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw error;
    throw new BodyIncompleteError({ cause: error });
  }
}

/** The context variables {@linkcode bodyLimit} sets: `Hono<{ Variables: BodyVariables }>`. */
export type BodyVariables = {
  /** The whole request body, at most the limit. */
  body: Uint8Array;
};

/** Options for {@linkcode bodyLimit}. */
export interface BodyLimitOptions {
  /** Largest body in bytes. */
  maxBytes: number;
  /**
   * The answer to a larger body. Default: 413 with Go's
   * `{"message":"Request Entity Too Large","code":413}`.
   */
  onTooLarge?: (c: Context) => Response | Promise<Response>;
  /** Where bodies that end early are noted (debug level: the client went away). */
  logger?: Logger;
}

/** Answer to an oversize body when no `onTooLarge` is given. */
export function bodyTooLargeResponse(): Response {
  return messageResponse(413, "Request Entity Too Large");
}

/** Answer to a body that ended early (nobody may be left to read it). */
export function bodyIncompleteResponse(): Response {
  return messageResponse(400, "request body incomplete");
}

/**
 * Route middleware that reads the body (at most `maxBytes`) before the handler and sets it as
 * `c.get("body")`; a larger body is answered at once. A body that ends early (the client
 * disconnected mid-body) is noted at debug level and answered 400, never as a server error.
 * Put it on the routes that take a body, not on `*`, so that other requests are not read.
 */
export function bodyLimit(
  options: BodyLimitOptions,
): MiddlewareHandler<{ Variables: BodyVariables }> {
  return async (c, next) => {
    let body: Uint8Array;
    try {
      body = await readBody(c.req.raw, options.maxBytes);
    } catch (error) {
      if (error instanceof BodyIncompleteError) {
        options.logger?.debug("request body incomplete; the client went away", {
          method: c.req.method,
          path: c.req.path,
          error: error.cause,
        });
        return bodyIncompleteResponse();
      }
      if (!(error instanceof BodyTooLargeError)) throw error;
      return options.onTooLarge ? await options.onTooLarge(c) : bodyTooLargeResponse();
    }
    c.set("body", body);
    await next();
  };
}
