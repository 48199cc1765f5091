import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { UiDeps, UiEnv } from "../context.ts";
import { documentHtml, Layout } from "../pages/layout.tsx";

/** What a signed-in page says about itself. */
export interface PageMeta {
  /** Title and `<h1>`. */
  title: string;
  /** One line under the title. */
  lede?: string;
  /** Live topics it follows. */
  live?: string[];
}

/** Answer with a signed-in page: the layout around `content`, with the session's flash note. */
export async function renderPage(
  c: Context<UiEnv>,
  deps: UiDeps,
  meta: PageMeta,
  content: Child,
): Promise<Response> {
  const session = c.get("session");
  const flash = session.flash;
  session.flash = undefined;
  const html = await documentHtml(
    <Layout
      title={meta.title}
      lede={meta.lede}
      path={c.req.path}
      pk={deps.api.info().pk}
      csrf={session.csrf}
      live={meta.live}
      flash={flash}
      remoteAddress={deps.remoteAddress}
    >
      {content}
    </Layout>,
  );
  return c.html(html);
}

/** After a form post: leave a note for the next page and go there (post/redirect/get). */
export function redirectWithNote(c: Context<UiEnv>, to: string, note: string): Response {
  c.get("session").flash = note;
  return c.redirect(to, 303);
}

/** Render a live region's fragment to HTML. */
export async function fragmentHtml(element: Child): Promise<string> {
  return String(await element);
}
