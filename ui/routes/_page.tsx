import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { UiDeps, UiEnv } from "../context.ts";
import { documentHtml, Layout } from "../pages/layout.tsx";
import { scopePath } from "./_scope.ts";

/** What a signed-in page says about itself. */
export interface PageMeta {
  /** Title and `<h1>`. */
  title: string;
  /** One line under the title. */
  lede?: string;
  /** Live topics it follows (a remote visor's are followed as `topic@<pk>`). */
  live?: string[];
  /** HTTP status (default 200). */
  status?: 200 | 404 | 503;
}

/** Live topics of the request's visor: this node's as they are, a remote one's as `t@<pk>`. */
export function scopedTopics(c: Context<UiEnv>, topics: string[] | undefined): string[] {
  const { visor } = c.get("scope");
  return (topics ?? []).map((t) => (visor.local ? t : `${t}@${visor.pk}`));
}

/**
 * Answer with a signed-in page: the layout around `content`, with the session's flash note,
 * the navigation of the visor the request is about and the fleet's visor switcher.
 */
export async function renderPage(
  c: Context<UiEnv>,
  deps: UiDeps,
  meta: PageMeta,
  content: Child,
): Promise<Response> {
  const session = c.get("session");
  const scope = c.get("scope");
  const flash = session.flash;
  session.flash = undefined;
  const page = scope.base && c.req.path.startsWith(scope.base)
    ? c.req.path.slice(scope.base.length) || "/"
    : c.req.path;
  const html = await documentHtml(
    <Layout
      title={meta.title}
      lede={meta.lede}
      path={c.req.path}
      pk={deps.self.pk}
      visorPk={scope.visor.pk}
      base={scope.base}
      local={scope.visor.local}
      page={page}
      visors={deps.fleet.list().map((v) => ({ pk: v.pk, local: v.local }))}
      csrf={session.csrf}
      live={scopedTopics(c, meta.live)}
      flash={flash}
      remoteAddress={deps.remoteAddress}
    >
      {content}
    </Layout>,
  );
  return c.html(html, meta.status ?? 200);
}

/**
 * After a form post: leave a note for the next page and go to `page` of the request's visor
 * (post/redirect/get).
 */
export function redirectWithNote(c: Context<UiEnv>, page: string, note: string): Response {
  c.get("session").flash = note;
  return c.redirect(scopePath(c.get("scope"), page), 303);
}

/** Render a live region's fragment to HTML. */
export async function fragmentHtml(element: Child): Promise<string> {
  return String(await element);
}
