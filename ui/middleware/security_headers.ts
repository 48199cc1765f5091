import type { MiddlewareHandler } from "hono";

// Everything the pages use comes from the UI itself; nothing may frame it.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join("; ");

/** Headers every UI answer carries: a strict CSP, no framing, no sniffing, no referrer to other sites. */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.set("content-security-policy", CSP);
    headers.set("x-frame-options", "DENY");
    headers.set("x-content-type-options", "nosniff");
    // Not "no-referrer": browsers then send `Origin: null` on the UI's own form posts.
    headers.set("referrer-policy", "same-origin");
    if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  };
}
