import type { MiddlewareHandler } from "hono";
import { BodyIncompleteError, BodyTooLargeError, readBody } from "../../mod/http/mod.ts";
import { UNSAFE_METHODS } from "./csrf.ts";

/**
 * Read the body of a state-changing request with a byte limit before anything parses it (the
 * UI's forms and JSON are small); a larger one is answered 413 without being read whole. The
 * handlers then parse the bounded copy as usual.
 */
export function boundedBody(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    if (UNSAFE_METHODS.has(c.req.method) && c.req.raw.body) {
      let bytes: Uint8Array;
      try {
        bytes = await readBody(c.req.raw, maxBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError) return c.json({ error: error.message }, 413);
        // The client went away mid-body: its doing, not a server fault (no 500, no ERROR).
        if (error instanceof BodyIncompleteError) return c.json({ error: error.message }, 400);
        throw error;
      }
      c.req.raw = new Request(c.req.raw.url, {
        method: c.req.method,
        headers: c.req.raw.headers,
        body: bytes as Uint8Array<ArrayBuffer>,
      });
    }
    await next();
  };
}
