import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { sameToken } from "../auth/sessions.ts";
import type { UiEnv } from "../context.ts";

/** Methods that change state and so need a CSRF token. */
export const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** The header scripts and the UI's own fetches send the token in. */
export const CSRF_HEADER = "x-csrf-token";
/** The form field pages send the token in. */
export const CSRF_FIELD = "_csrf";
/** Cookie holding the token of the forms shown before login (login, first password). */
export const PRE_SESSION_CSRF_COOKIE = "swm-csrf";

function refuse(c: Context, reason: string): Response {
  return c.json({ error: reason }, 403);
}

/**
 * The fields of a form post; `{}` for a body that is not a form or does not parse (a malformed
 * multipart body is the sender's problem, not a server error). Hono caches the parse, so every
 * caller reads the same fields.
 */
export async function formFields(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header("content-type") ?? "";
  if (
    !type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")
  ) {
    return {};
  }
  try {
    return await c.req.parseBody();
  } catch {
    return {};
  }
}

/** The token a request carries: the header, else the form field of a form post. */
export async function requestCsrfToken(c: Context): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  const field = (await formFields(c))[CSRF_FIELD];
  return typeof field === "string" ? field : undefined;
}

/**
 * Refuse (403) a state-changing request another site made: one whose `Origin` is not this
 * host, or that the browser marks `Sec-Fetch-Site: cross-site`. Requests without those headers
 * (scripts, curl) pass on to the token checks.
 */
export function sameOrigin(): MiddlewareHandler {
  return async (c, next) => {
    if (UNSAFE_METHODS.has(c.req.method)) {
      if (c.req.header("sec-fetch-site") === "cross-site") return refuse(c, "cross-site request");
      const origin = c.req.header("origin");
      // `null` is what a browser sends when it hides the origin (privacy settings, some
      // redirects); then only its own Sec-Fetch-Site can vouch for the request.
      if (origin === "null") {
        if (c.req.header("sec-fetch-site") !== "same-origin") return refuse(c, "opaque origin");
      } else if (origin !== undefined) {
        let host: string | undefined;
        try {
          host = new URL(origin).host;
        } catch {
          host = undefined;
        }
        if (host === undefined || host !== c.req.header("host")) {
          return refuse(c, "cross-origin request");
        }
      }
    }
    await next();
  };
}

/**
 * Refuse (403) a state-changing request whose CSRF token (header or form field) is not the
 * session's. Runs after `requireSession`.
 */
export function sessionCsrf(): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    if (UNSAFE_METHODS.has(c.req.method)) {
      const token = await requestCsrfToken(c);
      if (!token || !sameToken(token, c.get("session").csrf)) {
        return refuse(c, "missing or wrong CSRF token");
      }
    }
    await next();
  };
}

/** Whether a pre-session form post carries the token of its cookie. */
export async function preSessionCsrfOk(c: Context): Promise<boolean> {
  const cookie = getCookie(c, PRE_SESSION_CSRF_COOKIE);
  const token = await requestCsrfToken(c);
  return cookie !== undefined && token !== undefined && sameToken(cookie, token);
}
