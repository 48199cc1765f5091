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

/** The pages every visor has, in navigation order (under `/visors/<pk>` for a fleet member). */
export const VISOR_PAGES: ReadonlyArray<{ href: string; label: string }> = [
  { href: "/", label: "Overview" },
  { href: "/dmsg", label: "DMSG" },
  { href: "/transports", label: "Transports" },
  { href: "/routes", label: "Routes" },
  { href: "/apps", label: "Apps" },
  { href: "/logs", label: "Logs" },
];

/** The pages in this node's navigation, in order. */
export const NAV: ReadonlyArray<{ href: string; label: string }> = [
  ...VISOR_PAGES.slice(0, 5),
  { href: "/updates", label: "Updates" },
  VISOR_PAGES[5],
];

/** A fleet member as the visor switcher lists it. */
export interface SwitcherVisor {
  /** Its key. */
  pk: string;
  /** Whether it is this node. */
  local: boolean;
}

/** What every signed-in page passes to {@linkcode Layout}. */
export interface LayoutProps {
  /** Page title (also the `<h1>`). */
  title: string;
  /** One line under the title. */
  lede?: string;
  /** The current path, to mark the navigation. */
  path: string;
  /** This node's public key. */
  pk: string;
  /** The public key of the visor the page shows (default this node's). */
  visorPk?: string;
  /** Prefix of the shown visor's pages: `""` (this node's top-level pages) or `/visors/<pk>`. */
  base?: string;
  /** Whether the shown visor is this node. */
  local?: boolean;
  /** The page within the visor's pages (`/`, `/dmsg`...), kept when switching visors. */
  page?: string;
  /** The fleet, for the visor switcher (shown when it has more than one visor). */
  visors?: SwitcherVisor[];
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

/** Where `page` of the visor whose pages start at `base` is. */
function pageHref(base: string, page: string): string {
  return page === "/" ? base || "/" : base + page;
}

/** Which visor the page shows, and the switcher to another one. */
const ScopeBar: FC<{ props: LayoutProps }> = ({ props }) => {
  const visors = props.visors ?? [];
  const shown = props.visorPk ?? props.pk;
  const remote = props.base !== undefined && props.base !== "";
  if (visors.length < 2 && !remote) return null;
  return (
    <div class="scope" role="navigation" aria-label="Visor">
      <span>
        Visor <code title={shown}>{shortKey(shown)}</code> {props.local === false
          ? <span class="badge">remote</span>
          : <span class="badge ok">this node</span>}
      </span>
      {visors.length > 1
        ? (
          <form method="get" action="/visors/switch" class="switcher">
            <label for="visor-switch">Show visor</label>
            <select id="visor-switch" name="pk" data-autosubmit="">
              {visors.map((v) => (
                <option value={v.pk} selected={v.pk === shown}>
                  {shortKey(v.pk)}
                  {v.local ? " (this node)" : ""}
                </option>
              ))}
            </select>
            <input type="hidden" name="page" value={props.page ?? "/"} />
            <button type="submit">Show</button>
          </form>
        )
        : null}
    </div>
  );
};

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
          <a href="/visors" aria-current={props.path === "/visors" ? "page" : undefined}>
            Visors
          </a>
          {(props.base ? VISOR_PAGES : NAV).map((item) => {
            const href = pageHref(props.base ?? "", item.href);
            return (
              <a href={href} aria-current={href === props.path ? "page" : undefined}>
                {item.label}
              </a>
            );
          })}
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
      <ScopeBar props={props} />
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
