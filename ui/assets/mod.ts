/**
 * The UI's static files, embedded in the program (imported as text), so a bundle or a
 * compiled binary serves them from any directory. Each is served under a URL carrying a hash
 * of its content, so browsers may cache it for good.
 *
 * @module
 */
import appJs from "./app.js" with { type: "text" };
import styleCss from "./style.css" with { type: "text" };

/** One embedded file. */
export interface Asset {
  /** The path it is served at, with its content hash as `?v=`. */
  readonly href: string;
  /** Content type. */
  readonly type: string;
  /** The content. */
  readonly body: string;
}

// FNV-1a (32-bit): a cache-busting tag, not a security measure.
function contentTag(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

function asset(path: string, type: string, body: string): Asset {
  return { href: `${path}?v=${contentTag(body)}`, type, body };
}

/** The stylesheet. */
export const STYLE: Asset = asset("/assets/style.css", "text/css; charset=utf-8", styleCss);
/** The client script. */
export const SCRIPT: Asset = asset("/assets/app.js", "text/javascript; charset=utf-8", appJs);
/** Every asset by path. */
export const ASSETS: ReadonlyMap<string, Asset> = new Map(
  [STYLE, SCRIPT].map((a) => [a.href.split("?")[0], a]),
);
