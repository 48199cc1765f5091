import { idleDeadline } from "./_deadline.ts";
import { fetchFailureText } from "../../mod/netutil/mod.ts";
import { errorText, UpdateError } from "./errors.ts";

/** A download that makes no progress for this long is abandoned (and resumed next time). */
const STALL_TIMEOUT_MS = 60_000;

/** Options for {@linkcode downloadAsset}. */
export interface DownloadOptions {
  /** Where to fetch from: `http(s)://` (with HTTP Range resume) or `file://` (resumed by seek). */
  url: URL;
  /** The partial file, in the target's own directory; appended to when it already exists. */
  partPath: string;
  /** Exact size the asset must have. */
  expectedSize: number;
  /** HTTP client (closed by the caller). */
  client?: Deno.HttpClient;
  /** Progress callback: bytes present in the partial file, and the expected size. */
  onProgress?: (done: number, total: number) => void;
  /** Cancels the download (the partial file is kept). */
  signal?: AbortSignal;
  /** Abandon a download idle this long (ms); default 60 s. */
  stallTimeoutMs?: number;
}

/** What {@linkcode downloadAsset} did. */
export interface DownloadResult {
  /** Bytes already present from an earlier, interrupted download. */
  resumedFrom: number;
  /** Bytes fetched by this call. */
  fetched: number;
}

function sizeMismatch(message: string): UpdateError {
  return new UpdateError("verify", "size-mismatch", message);
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}

async function removeQuietly(path: string): Promise<void> {
  await Deno.remove(path).catch(() => {});
}

/**
 * Copy `body` into the partial file from `offset`, never past `expectedSize`. Returns the bytes
 * written. A body that ends early leaves a resumable partial file behind.
 */
async function appendBody(
  body: AsyncIterable<Uint8Array>,
  options: DownloadOptions,
  offset: number,
  truncate: boolean,
  touch: () => void,
): Promise<number> {
  using file = await Deno.open(options.partPath, {
    write: true,
    create: true,
    truncate,
    append: !truncate,
    mode: 0o600,
  });
  let done = offset;
  for await (const chunk of body) {
    touch();
    if (done + chunk.byteLength > options.expectedSize) {
      throw sizeMismatch(`the download is larger than the ${options.expectedSize} bytes signed`);
    }
    let written = 0;
    while (written < chunk.byteLength) written += await file.write(chunk.subarray(written));
    done += chunk.byteLength;
    options.onProgress?.(done, options.expectedSize);
  }
  return done - offset;
}

/** Yield the rest of a local file from `offset`, in 1 MiB reads with one reused buffer. */
async function* readFrom(file: Deno.FsFile, offset: number): AsyncIterable<Uint8Array> {
  await file.seek(offset, Deno.SeekMode.Start);
  const buffer = new Uint8Array(1024 * 1024);
  for (;;) {
    const n = await file.read(buffer);
    if (n === null) return;
    yield buffer.subarray(0, n);
  }
}

async function downloadFile(
  options: DownloadOptions,
  offset: number,
  touch: () => void,
): Promise<number> {
  let source: Deno.FsFile;
  try {
    source = await Deno.open(options.url, { read: true });
  } catch (error) {
    throw new UpdateError(
      "download",
      "download-failed",
      `cannot open ${options.url.pathname}: ${errorText(error)}`,
      { cause: error },
    );
  }
  using _source = source;
  const size = (await source.stat()).size;
  if (size !== options.expectedSize) {
    throw sizeMismatch(
      `${options.url.pathname} is ${size} bytes, the release says ${options.expectedSize}`,
    );
  }
  return await appendBody(readFrom(source, offset), options, offset, false, touch);
}

/** Parse `Content-Range: bytes START-END/TOTAL`. */
function parseContentRange(header: string | null): { start: number; total: number } | undefined {
  const m = header ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim()) : null;
  return m ? { start: Number(m[1]), total: Number(m[3]) } : undefined;
}

async function downloadHttp(
  options: DownloadOptions,
  offset: number,
  signal: AbortSignal,
  touch: () => void,
): Promise<{ fetched: number; restarted: boolean }> {
  const headers = new Headers();
  if (offset > 0) headers.set("range", `bytes=${offset}-`);
  const response = await fetch(options.url, { headers, client: options.client, signal });
  if (response.status === 416) {
    // The server has less than we already hold: the partial file cannot be part of this asset.
    await response.body?.cancel();
    await removeQuietly(options.partPath);
    return { fetched: 0, restarted: true };
  }
  let truncate = false;
  if (response.status === 206 && offset > 0) {
    const range = parseContentRange(response.headers.get("content-range"));
    if (range?.total !== undefined && range.total !== options.expectedSize) {
      await response.body?.cancel();
      throw sizeMismatch(
        `the server's file is ${range.total} bytes, the release says ${options.expectedSize}`,
      );
    }
    if (!range || range.start !== offset) {
      await response.body?.cancel();
      await removeQuietly(options.partPath);
      return { fetched: 0, restarted: true };
    }
  } else if (response.status === 200) {
    // No range support (or no partial file): start over.
    truncate = true;
    offset = 0;
    const length = response.headers.get("content-length");
    if (length !== null && Number(length) !== options.expectedSize) {
      await response.body?.cancel();
      throw sizeMismatch(
        `the server's file is ${length} bytes, the release says ${options.expectedSize}`,
      );
    }
  } else {
    await response.body?.cancel();
    throw new UpdateError(
      "download",
      "download-failed",
      `${options.url} answered HTTP ${response.status}`,
    );
  }
  if (!response.body) return { fetched: 0, restarted: false };
  const fetched = await appendBody(response.body, options, offset, truncate, touch);
  return { fetched, restarted: false };
}

/**
 * Download an asset into `partPath`, resuming a partial file left by an interrupted run (HTTP
 * `Range`, or a seek for `file://`). Resolves when the file holds exactly `expectedSize` bytes;
 * content is not checked here (the caller hashes it).
 *
 * Throws {@linkcode UpdateError}: step `download` (network trouble; the partial file is kept to
 * resume next time) or step `verify` code `size-mismatch` (the source does not hold a file of
 * the signed size; the partial file is removed).
 */
export async function downloadAsset(options: DownloadOptions): Promise<DownloadResult> {
  let offset = await fileSize(options.partPath);
  if (offset > options.expectedSize) {
    await removeQuietly(options.partPath);
    offset = 0;
  }
  const resumedFrom = offset;
  options.onProgress?.(offset, options.expectedSize);
  if (offset === options.expectedSize) return { resumedFrom, fetched: 0 };
  using deadline = idleDeadline(options.stallTimeoutMs ?? STALL_TIMEOUT_MS, options.signal);
  let fetched = 0;
  try {
    if (options.url.protocol === "file:") {
      fetched = await downloadFile(options, offset, deadline.touch);
    } else {
      let result = await downloadHttp(options, offset, deadline.signal, deadline.touch);
      if (result.restarted) {
        result = await downloadHttp(options, 0, deadline.signal, deadline.touch);
      }
      fetched = result.fetched;
    }
  } catch (error) {
    if (error instanceof UpdateError) {
      if (error.code === "size-mismatch") await removeQuietly(options.partPath);
      throw error;
    }
    const reason = deadline.signal.aborted
      ? errorText(deadline.signal.reason)
      : error instanceof TypeError // fetch's "fetch failed": the cause is further down
      ? fetchFailureText(error, options.url.origin)
      : errorText(error);
    throw new UpdateError(
      "download",
      "download-failed",
      `${options.url} failed after ${await fileSize(
        options.partPath,
      )} of ${options.expectedSize} ` +
        `bytes (${reason}); run again to resume`,
      { cause: error },
    );
  }
  const have = await fileSize(options.partPath);
  if (have !== options.expectedSize) {
    throw new UpdateError(
      "download",
      "download-failed",
      `${options.url} ended after ${have} of ${options.expectedSize} bytes; run again to resume`,
    );
  }
  return { resumedFrom, fetched };
}
