import type { Child, FC } from "hono/jsx";
import { VERSION } from "../../mod/version/mod.ts";
import { SCRIPT, STYLE } from "../assets/mod.ts";
import { CsrfField } from "./components.tsx";
import { shortKey } from "./format.ts";

// A small mark in the tab, inline so that no favicon request is made.
const ICON = "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" ' +
      'fill="#1f5fd1"/><path d="M4 9.5c2-3 6-3 8 0" stroke="#fff" stroke-width="1.6" ' +
      'fill="none"/></svg>',
  );

/** The pages in the navigation, in order. */
export const NAV: ReadonlyArray<{ href: string; label: string }> = [
  { href: "/", label: "Overview" },
  { href: "/dmsg", label: "DMSG" },
  { href: "/transports", label: "Transports" },
  { href: "/routes", label: "Routes" },
  { href: "/apps", label: "Apps" },
  { href: "/updates", label: "Updates" },
  { href: "/logs", label: "Logs" },
];

/** What every signed-in page passes to {@linkcode Layout}. */
export interface LayoutProps {
  /** Page title (also the `<h1>`). */
  title: string;
  /** One line under the title. */
  lede?: string;
  /** The current path, to mark the navigation. */
  path: string;
  /** The node's public key. */
  pk: string;
  /** The session's CSRF token (for the logout form and the page's scripts). */
  csrf: string;
  /** Live topics the page follows over SSE. */
  live?: string[];
  /** A note for this one view (e.g. the outcome of an action). */
  flash?: string;
  /** Where the UI can be reached from other machines, when it can (shown as a warning). */
  remoteAddress?: string;
  children: Child;
}

/** `<head>` shared by every page. */
const Head: FC<{ title: string; csrf?: string }> = ({ title, csrf }) => (
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>{title} · skywire</title>
    {csrf ? <meta name="csrf-token" content={csrf} /> : null}
    <link rel="icon" href={ICON} />
    <link rel="stylesheet" href={STYLE.href} />
    <script src={SCRIPT.href} defer></script>
  </head>
);

/** A signed-in page: top bar with the node key, navigation and logout; then the content. */
export const Layout: FC<LayoutProps> = (props) => (
  <html lang="en">
    <Head title={props.title} csrf={props.csrf} />
    <body data-live={props.live?.length ? props.live.join(",") : undefined}>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <div class="brand">
          skywire <span class="node" title={props.pk}>{shortKey(props.pk)}</span>
        </div>
        <nav aria-label="Main">
          {NAV.map((item) => (
            <a href={item.href} aria-current={item.href === props.path ? "page" : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <form method="post" action="/logout">
          <CsrfField token={props.csrf} />
          <button type="submit">Log out</button>
        </form>
      </header>
      {props.remoteAddress
        ? (
          <div class="banner warn" role="status">
            This UI listens beyond this machine: anyone who can reach{" "}
            <code>{props.remoteAddress}</code> can try to log in.
          </div>
        )
        : null}
      <main id="main" tabindex={-1}>
        <h1>{props.title}</h1>
        {props.lede ? <p class="lede">{props.lede}</p> : null}
        {props.flash ? <p class="notice" role="status">{props.flash}</p> : null}
        <p id="live-status" class="notice bad" hidden>
          Live updates stopped. Reload the page to resume them.
        </p>
        {props.children}
      </main>
      <footer>skywire {VERSION}</footer>
    </body>
  </html>
);

/** A page shown before login (login, first password): no navigation. */
export const AuthLayout: FC<{ title: string; children: Child }> = (props) => (
  <html lang="en">
    <Head title={props.title} />
    <body>
      <main id="main" class="auth">
        {props.children}
      </main>
      <footer>skywire {VERSION}</footer>
    </body>
  </html>
);

/** A full HTML document from a page element. */
export async function documentHtml(page: unknown): Promise<string> {
  return "<!doctype html>" + String(await page);
}
