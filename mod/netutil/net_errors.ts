/**
 * Network failures in words that name their cause and the address: Deno says "fetch failed"
 * (the reason is two causes down) and "Address already in use (os error 98)" (no address).
 */

// Reasons a fetch fails before any answer, as the runtime words them, and how we say them.
const FETCH_REASONS: Array<[RegExp, string]> = [
  [/connection refused/i, "connection refused"],
  [
    /dns error|failed to lookup address|name or service not known|no address associated/i,
    "cannot resolve host",
  ],
  [/connection reset/i, "connection reset"],
  [/timed out|timeout/i, "timed out"],
  [/no route to host/i, "no route to host"],
  [/network is unreachable/i, "network is unreachable"],
  [/certificate|tls|ssl/i, "TLS failure"],
];

function messages(error: unknown): string[] {
  const found: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    if (e instanceof Error) {
      found.push(e.message);
      e = e.cause;
    } else {
      found.push(String(e));
      break;
    }
  }
  return found;
}

/**
 * Why a `fetch` of something at `url` failed without an answer, e.g.
 * `connection refused at http://127.0.0.1:9090`: the innermost cause the runtime gives, matched
 * to a short reason, or its own words when it is none of the known ones.
 */
export function fetchFailureText(error: unknown, url: string): string {
  const all = messages(error);
  for (const [pattern, reason] of FETCH_REASONS) {
    if (all.some((message) => pattern.test(message))) return `${reason} at ${url}`;
  }
  const innermost = all.at(-1) ?? "failed";
  return `${innermost.replace(/\s*\(os error \d+\)$/, "")} at ${url}`;
}

/**
 * The error of listening on `addr`, worded `cannot listen on ADDR: address already in use`
 * with the same class (so `instanceof Deno.errors.AddrInUse` still holds) and the original
 * as its cause.
 */
export function listenError(error: unknown, addr: string): Error {
  if (!(error instanceof Error)) return new Error(`cannot listen on ${addr}: ${String(error)}`);
  const reason = error.message.replace(/\s*\(os error \d+\)$/, "");
  const text = `cannot listen on ${addr}: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
  const Class = error.constructor as new (message: string, options?: ErrorOptions) => Error;
  try {
    const named = new Class(text, { cause: error });
    if (named instanceof Error && named.message === text) return named;
  } catch {
    // A class that wants other arguments: fall through to a plain error.
  }
  return new Error(text, { cause: error });
}
