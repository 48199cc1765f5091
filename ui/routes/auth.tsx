import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { remoteIp } from "../../mod/http/mod.ts";
import { PasswordRejectedError } from "../auth/auth.ts";
import { UI_USERNAME } from "../auth/credentials.ts";
import { passwordProblem } from "../auth/password.ts";
import { randomToken } from "../auth/sessions.ts";
import type { UiDeps, UiEnv } from "../context.ts";
import {
  formFields,
  PRE_SESSION_CSRF_COOKIE,
  preSessionCsrfOk,
  sessionCsrf,
} from "../middleware/csrf.ts";
import {
  clearSessionCookie,
  cookieAttributes,
  requireSession,
  SESSION_COOKIE,
  setSessionCookie,
} from "../middleware/session.ts";
import { LoginPage, SetupPage } from "../pages/auth.tsx";
import { documentHtml } from "../pages/layout.tsx";

/** Go's answers, so scripts written for Go's hypervisor read the same errors. */
const BAD_LOGIN = "incorrect username or password";
const MALFORMED = "request format is malformed";

/** Whether the request comes from this machine (the first password may only be set so). */
export function isLocalRequest(c: Context): boolean {
  const ip = remoteIp(c);
  return ip === "::1" || ip.startsWith("127.") || ip === "::ffff:127.0.0.1";
}

/** A `next` target that stays on this site. */
function safeNext(next: unknown): string {
  return typeof next === "string" && next.startsWith("/") && !next.startsWith("//") &&
      !next.includes("\\")
    ? next
    : "/";
}

/** The token of the pre-session forms: the cookie's when it has one (several tabs, favicon
 * requests and reloads must not invalidate a form already shown), else a new one. */
function preSessionToken(c: Context): string {
  const existing = getCookie(c, PRE_SESSION_CSRF_COOKIE);
  const token = existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : randomToken();
  setCookie(c, PRE_SESSION_CSRF_COOKIE, token, { ...cookieAttributes(c), maxAge: 3600 });
  return token;
}

async function readJson(c: Context): Promise<Record<string, unknown> | undefined> {
  // JSON only: a cross-site form cannot send it without a CORS preflight, which is refused.
  if (!(c.req.header("content-type") ?? "").startsWith("application/json")) return undefined;
  try {
    const value = await c.req.json();
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Login, logout and the first password: the pages (`/login`, `/setup`, `/logout`) and Go's
 * hypervisor API (`/api/login`, `/api/logout`, `/api/create-account`, `/api/change-password`,
 * `/api/csrf`, `/api/user`).
 */
export function authRoutes(deps: UiDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  const { auth, api } = deps;
  const pk = () => api.info().pk;
  const limited = (c: Context) => !deps.loginLimiter.allow(remoteIp(c));

  const loginPage = async (c: Context, status: 200 | 400 | 401 | 403 | 429, error?: string) => {
    const form: Record<string, unknown> = c.req.method === "POST" ? await formFields(c) : {};
    const next = safeNext(c.req.query("next") ?? form.next);
    return c.html(
      await documentHtml(
        <LoginPage pk={pk()} csrf={preSessionToken(c)} next={next} error={error} />,
      ),
      status,
    );
  };

  app.get("/login", async (c) => {
    if (!(await auth.hasPassword())) return c.redirect("/setup", 303);
    if (await auth.session(getCookie(c, SESSION_COOKIE))) {
      return c.redirect(safeNext(c.req.query("next")), 303);
    }
    return await loginPage(c, 200);
  });

  app.post("/login", async (c) => {
    if (limited(c)) return await loginPage(c, 429, "Too many attempts. Wait a minute and retry.");
    if (!(await preSessionCsrfOk(c))) {
      return await loginPage(c, 403, "The form expired. Please try again.");
    }
    const form = await formFields(c);
    const result = await auth.login(typeof form.password === "string" ? form.password : "");
    if (!result.ok) {
      if (result.reason === "no-password") return c.redirect("/setup", 303);
      deps.logger.warn("UI login refused: wrong password", { remote: remoteIp(c) });
      return await loginPage(c, 401, "Wrong password.");
    }
    setSessionCookie(c, result.session);
    deps.logger.info("UI login", { remote: remoteIp(c) });
    return c.redirect(safeNext(form.next), 303);
  });

  const setupPage = async (c: Context, status: 200 | 400 | 403 | 429, error?: string) =>
    c.html(
      await documentHtml(
        <SetupPage pk={pk()} csrf={preSessionToken(c)} local={isLocalRequest(c)} error={error} />,
      ),
      status,
    );

  app.get("/setup", async (c) => {
    if (await auth.hasPassword()) return c.redirect("/login", 303);
    return await setupPage(c, 200);
  });

  app.post("/setup", async (c) => {
    if (await auth.hasPassword()) return c.redirect("/login", 303);
    if (limited(c)) return await setupPage(c, 429, "Too many attempts. Wait a minute.");
    if (!isLocalRequest(c)) return await setupPage(c, 403);
    if (!(await preSessionCsrfOk(c))) return await setupPage(c, 403, "The form expired.");
    const form = await formFields(c);
    const password = typeof form.password === "string" ? form.password : "";
    if (password !== form.confirm) return await setupPage(c, 400, "The passwords differ.");
    const problem = passwordProblem(password);
    if (problem) return await setupPage(c, 400, `Not accepted: ${problem}.`);
    const session = await auth.setFirstPassword(password);
    if (!session) return c.redirect("/login", 303);
    setSessionCookie(c, session);
    deps.logger.info("UI password set on first visit", { remote: remoteIp(c) });
    return c.redirect("/", 303);
  });

  app.post("/logout", requireSession(deps), sessionCsrf(), (c) => {
    auth.sessions.delete(c.get("session").token);
    clearSessionCookie(c);
    return c.redirect("/login", 303);
  });

  // Go's hypervisor API.
  app.post("/api/login", async (c) => {
    if (limited(c)) return c.json({ error: "rate limit exceeded" }, 429);
    const body = await readJson(c);
    if (!body) return c.json({ error: MALFORMED }, 400);
    if (body.username !== UI_USERNAME || typeof body.password !== "string") {
      return c.json({ error: BAD_LOGIN }, 401);
    }
    const result = await auth.login(body.password);
    if (!result.ok) {
      deps.logger.warn("UI login refused", { remote: remoteIp(c), reason: result.reason });
      return c.json({ error: BAD_LOGIN }, 401);
    }
    setSessionCookie(c, result.session);
    return c.json(true);
  });

  app.post("/api/create-account", async (c) => {
    if (limited(c)) return c.json({ error: "rate limit exceeded" }, 429);
    const body = await readJson(c);
    if (!body || typeof body.password !== "string") return c.json({ error: MALFORMED }, 400);
    if (body.username !== UI_USERNAME) {
      return c.json({ error: "format of 'username' is not accepted" }, 400);
    }
    if (!isLocalRequest(c)) {
      return c.json({ error: "the first password can only be set from the node itself" }, 403);
    }
    try {
      const session = await auth.setFirstPassword(body.password);
      if (!session) return c.json({ error: "a password is already set" }, 403);
      setSessionCookie(c, session);
      return c.json(true);
    } catch (error) {
      if (error instanceof PasswordRejectedError) return c.json({ error: error.message }, 400);
      throw error;
    }
  });

  const signedIn = [requireSession(deps, { api: true }), sessionCsrf()] as const;
  app.get("/api/csrf", ...signedIn, (c) => c.json({ csrf_token: c.get("session").csrf }));
  app.get("/api/user", ...signedIn, (c) => {
    const session = c.get("session");
    const shape = (s: typeof session) => ({
      username: UI_USERNAME,
      expiry: new Date(s.expires).toISOString(),
    });
    return c.json({
      username: UI_USERNAME,
      current_session: shape(session),
      other_sessions: auth.sessions.others(session.token).map(shape),
    });
  });
  app.post("/api/logout", ...signedIn, (c) => {
    auth.sessions.delete(c.get("session").token);
    clearSessionCookie(c);
    return c.json(true);
  });
  app.post("/api/change-password", ...signedIn, async (c) => {
    const body = await readJson(c);
    if (
      !body || typeof body.old_password !== "string" || typeof body.new_password !== "string"
    ) {
      return c.json({ error: MALFORMED }, 400);
    }
    const problem = passwordProblem(body.new_password);
    if (problem) return c.json({ error: problem }, 400);
    const session = await auth.changePassword(body.old_password, body.new_password);
    if (!session) return c.json({ error: BAD_LOGIN }, 401);
    setSessionCookie(c, session);
    deps.logger.info("UI password changed", { remote: remoteIp(c) });
    return c.json(true);
  });
  return app;
}
