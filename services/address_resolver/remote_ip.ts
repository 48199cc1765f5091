/**
 * The IP a request comes from, as the address resolver records it for stcpr.
 *
 * @module
 */
import type { Context } from "hono";
import { remoteIp } from "../../mod/http/mod.ts";
import { canonicalIP, parseIP } from "../../mod/netutil/mod.ts";

/**
 * The requester's IP in Go's text form (`::ffff:1.2.3.4` is `1.2.3.4`). With
 * `trustProxyHeaders` (a resolver behind a reverse proxy) the first IP of `True-Client-IP`,
 * `X-Real-IP` or `X-Forwarded-For` is taken, as Go's `middleware.RealIP` does; without it
 * (the default) those headers are ignored, since any client can set them.
 */
export function requesterIp(c: Context, trustProxyHeaders: boolean): string {
  if (trustProxyHeaders) {
    const headers = c.req.raw.headers;
    const forwarded = headers.get("true-client-ip") ?? headers.get("x-real-ip") ??
      headers.get("x-forwarded-for")?.split(",")[0];
    const text = forwarded?.trim();
    if (text && parseIP(text)) return canonicalIP(text);
  }
  return canonicalIP(remoteIp(c));
}
