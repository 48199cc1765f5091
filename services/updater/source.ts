import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { readAllLimited } from "../../mod/conn/mod.ts";
import { MAX_MANIFEST_BYTES } from "../../mod/release/mod.ts";
import { idleDeadline } from "./_deadline.ts";
import { fetchFailureText } from "../../mod/netutil/mod.ts";
import { errorText, UpdateError } from "./errors.ts";

/** How long a manifest fetch may stall before it is abandoned. */
const MANIFEST_TIMEOUT_MS = 30_000;

/**
 * The manifest URL for `source` and `channel`. `source` is an `http(s)://` or `file://` URL or
 * a file path; `{channel}` in it is replaced by the channel, so one setting serves both
 * channels (`https://example.org/skywire/{channel}/manifest.json`).
 */
export function manifestUrl(source: string, channel: string): URL {
  const text = source.replaceAll("{channel}", channel);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new UpdateError("manifest", "fetch-failed", `not a valid URL: ${text}`);
    }
    if (!["http:", "https:", "file:"].includes(url.protocol)) {
      throw new UpdateError("manifest", "fetch-failed", `unsupported URL scheme ${url.protocol}`);
    }
    return url;
  }
  return pathToFileURL(resolve(text));
}

/** Options for {@linkcode fetchManifest}. */
export interface FetchManifestOptions {
  /** HTTP client (closed by the caller). */
  client?: Deno.HttpClient;
  /** Cancels the fetch. */
  signal?: AbortSignal;
}

function readCapped(body: ReadableStream<Uint8Array>, url: URL): Promise<Uint8Array> {
  return readAllLimited(body, {
    limit: MAX_MANIFEST_BYTES,
    tooLarge: () =>
      new UpdateError("manifest", "too-large", `${url} is larger than a manifest can be`),
  });
}

/** The manifest's bytes, at most `MAX_MANIFEST_BYTES`. Throws {@linkcode UpdateError} (`manifest`). */
export async function fetchManifest(
  url: URL,
  options: FetchManifestOptions = {},
): Promise<Uint8Array> {
  if (url.protocol === "file:") {
    try {
      const info = await Deno.stat(url);
      if (info.size > MAX_MANIFEST_BYTES) {
        throw new UpdateError("manifest", "too-large", `${url.pathname} is too large`);
      }
      return await Deno.readFile(url);
    } catch (error) {
      if (error instanceof UpdateError) throw error;
      throw new UpdateError(
        "manifest",
        "fetch-failed",
        `cannot read ${url.pathname}: ${errorText(error)}`,
        { cause: error },
      );
    }
  }
  using deadline = idleDeadline(MANIFEST_TIMEOUT_MS, options.signal);
  let response: Response;
  try {
    response = await fetch(url, { client: options.client, signal: deadline.signal });
  } catch (error) {
    // "connection refused at http://…" rather than the runtime's "fetch failed".
    const reason = deadline.signal.aborted
      ? `${errorText(deadline.signal.reason)} at ${url}`
      : fetchFailureText(error, url.href);
    throw new UpdateError("manifest", "fetch-failed", reason, {
      cause: error,
    });
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new UpdateError("manifest", "fetch-failed", `${url} answered HTTP ${response.status}`);
  }
  if (!response.body) return new Uint8Array(0);
  try {
    return await readCapped(response.body, url);
  } catch (error) {
    if (error instanceof UpdateError) throw error;
    throw new UpdateError("manifest", "fetch-failed", `reading ${url}: ${errorText(error)}`, {
      cause: error,
    });
  }
}
