/**
 * Why `text` is not an `http://` or `https://` URL a client can fetch, in words a user can act
 * on; `undefined` when it is one. A missing scheme is the common slip (`127.0.0.1:9090`), and
 * `new URL` would take `localhost:9090` for a URL of scheme `localhost:`.
 */
export function httpUrlProblem(text: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return `"${text}" is not a URL: it has no scheme (did you mean http://${text}?)`;
  }
  if (!/^https?:\/\//i.test(text)) return `"${text}" is not an http:// or https:// URL`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a valid URL`;
  }
  if (url.hostname === "") return `"${text}" has no host`;
  return undefined;
}
