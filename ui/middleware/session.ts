import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Session } from "../auth/sessions.ts";
import type { UiDeps, UiEnv } from "../context.ts";

/** The session cookie: Go's hypervisor name, so its scripts' cookie jars keep working. */
export const SESSION_COOKIE = "swm-session";

/** Go's answer for a request without a live session. */
export const BAD_SESSION = "session cookie is either non-existent, expired, or ill-formatted";

/**
 * The attributes every UI cookie gets: HttpOnly, SameSite=Strict, Path=/, and Secure when the
 * UI is served over TLS (`hypervisor.enable_tls`), so the browser never sends it in clear.
 */
export function cookieAttributes(c: Context): {
  httpOnly: true;
  sameSite: "Strict";
  path: "/";
  secure: boolean;
} {
  return { httpOnly: true, sameSite: "Strict", path: "/", secure: c.req.url.startsWith("https:") };
}

/** Set the session cookie ({@linkcode cookieAttributes}), ending with the session. */
export function setSessionCookie(c: Context, session: Session): void {
  setCookie(c, SESSION_COOKIE, session.token, {
    ...cookieAttributes(c),
    expires: new Date(session.expires),
  });
}

/** Remove the session cookie. */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, cookieAttributes(c));
}

/** Options for {@linkcode requireSession}. */
export interface RequireSessionOptions {
  /** Answer JSON 401 (the API) instead of redirecting to the login page (default: for
   * paths under `/api/`). */
  api?: boolean;
}

/**
 * Let through only requests with a live session (set as `c.get("session")`). Pages without
 * one are sent to the login page (or to the first-password page when none is set), API calls
 * get Go's 401 answer.
 */
export function requireSession(
  deps: UiDeps,
  options: RequireSessionOptions = {},
): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    const session = await deps.auth.session(getCookie(c, SESSION_COOKIE));
    if (!session) {
      if (options.api ?? c.req.path.startsWith("/api/")) {
        return c.json({ error: BAD_SESSION }, 401);
      }
      if (!(await deps.auth.hasPassword())) return c.redirect("/setup", 303);
      const back = c.req.method === "GET" ? c.req.path + new URL(c.req.url).search : "/";
      return c.redirect(`/login?next=${encodeURIComponent(back)}`, 303);
    }
    c.set("session", session);
    await next();
  };
}
