// The modules themselves rather than their folders' mod.ts: `deno run` evaluates every module a
// barrel re-exports, and a one-shot fetch's start-up is most of its time for a small file (the
// dmsg barrel alone would load the relay server, the dmsg_http one Hono).
import { abortable } from "@std/async";
import { generateKeyPair } from "../../mod/cipher/key_pair.ts";
import {
  booleanFlag,
  type Command,
  createProgress,
  defineCommand,
  jsonFlag,
  listFlag,
  stringFlag,
  urlValue,
  UsageError,
  valueFlag,
  withDescription,
} from "../../mod/cli/mod.ts";
import { formatDuration, parseDuration } from "../../mod/config/duration.ts";
import { SERVICES } from "../../mod/config/services.ts";
import type { DmsgAddr } from "../../mod/dmsg/addr.ts";
import { DmsgClient } from "../../mod/dmsg/client.ts";
import { DiscoveryRequestError } from "../../mod/dmsg/disc/mod.ts";
import { DmsgError } from "../../mod/dmsg/errors.ts";
import { DmsgUrlError } from "../../mod/dmsg_http/errors.ts";
import { dmsgFetch, type DmsgUrl, parseDmsgUrl } from "../../mod/dmsg_http/fetch.ts";
import { closeWithin, stopOnSignals } from "../../mod/lifecycle/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";

// Bodies at least this large get a progress bar when saved with -o on a terminal.
const PROGRESS_MIN_BYTES = 1024 * 1024;
const encoder = new TextEncoder();

function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(":");
  if (colon <= 0) throw new UsageError(`-H wants "Name: value", got "${text}"`);
  return [text.slice(0, colon).trim(), text.slice(colon + 1).trim()];
}

function failureText(error: unknown): string {
  // A discovery that did not answer is the whole story, however deep in the dial it surfaced.
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof DiscoveryRequestError) return `cannot reach the discovery: ${e.message}`;
  }
  if (error instanceof DmsgError) return `dmsg: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

// The download's yamux receive window (Go dmsg's is 256 KiB). A sender stops after a window
// of unacknowledged data, so 256 KiB caps a download at 2.5 MiB/s over a 100 ms round trip;
// a larger one also means one window update per 2 MiB read instead of per 128 KiB.
const RECEIVE_WINDOW_BYTES = 4 * 1024 * 1024;

// How long a curl that timed out or was interrupted still spends saying goodbye (deleting its
// throw-away entry). The usual close budget is 10 s: a `--timeout 1s` against a discovery that
// accepts and never answers took ~11 s to exit. An entry left behind is a throw-away key's.
const GAVE_UP_CLOSE_BUDGET_MS = 1_000;

// Output is written in batches of up to this size: a body arrives in frames of ~4 KiB, and one
// write call per frame cost more CPU than the whole decryption.
const WRITE_BATCH_BYTES = 256 * 1024;

type Sink = Deno.FsFile | typeof Deno.stdout;

async function writeAll(target: Sink, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) offset += await target.write(bytes.subarray(offset));
}

/** Reads body bytes into `p`; `null` at the end of the body. */
type ReadInto = (p: Uint8Array) => Promise<number | null>;

/**
 * Copy the body `read` gives to `target`. Bytes are read into one batch buffer while the other
 * is being written, so writes are large when data arrives fast and nothing waits when it
 * trickles in: a batch goes out as soon as the previous write is done. At most two batches are
 * held. The body is read straight from the connection (DmsgResponse.readInto): through the
 * response's web stream every read cost ~10 µs more, ~10 % of the process's CPU on a big file.
 */
async function copyBody(
  read: ReadInto,
  target: Sink,
  onProgress: (done: number) => void,
): Promise<number> {
  let current = new Uint8Array(WRITE_BATCH_BYTES);
  let spare: Uint8Array<ArrayBuffer> | undefined;
  let filled = 0;
  let done = 0;
  let writing: Promise<void> | undefined;
  let writeError: unknown;
  const flush = () => {
    const batch = current.subarray(0, filled);
    const written = filled;
    current = spare ?? new Uint8Array(WRITE_BATCH_BYTES);
    spare = undefined;
    filled = 0;
    writing = writeAll(target, batch).then(() => {
      spare = new Uint8Array(batch.buffer);
      writing = undefined;
      onProgress(done += written);
    }, (error) => {
      writeError ??= error;
      writing = undefined;
    });
  };
  try {
    for (;;) {
      if (writeError !== undefined) throw writeError;
      // A full batch waits for the write in flight; the reader pauses (backpressure).
      if (filled === WRITE_BATCH_BYTES) {
        await writing;
        if (writeError !== undefined) throw writeError;
        flush();
      }
      const n = await read(current.subarray(filled));
      if (n === null) break;
      filled += n;
      if (writing === undefined && filled > 0) flush();
    }
    await writing;
    if (filled > 0) {
      flush();
      await writing;
    }
    if (writeError !== undefined) throw writeError;
  } finally {
    await writing;
  }
  return done;
}

async function writeBody(
  read: ReadInto,
  target: Sink,
  total: number | undefined,
  label: string | undefined,
): Promise<number> {
  const progress = label && Deno.stderr.isTerminal() &&
      (total === undefined || total >= PROGRESS_MIN_BYTES)
    ? createProgress({
      label,
      terminal: true,
      write: (text) => Deno.stderr.writeSync(encoder.encode(text)),
    })
    : undefined;
  try {
    return await copyBody(read, target, (done) => progress?.update(done, total ?? done));
  } finally {
    progress?.end();
  }
}

/** `skywire dmsg curl`: fetch a `dmsg://PK:PORT/path` URL with an ephemeral identity. */
export const dmsgCurlCommand: Command = defineCommand({
  name: "curl",
  summary: "fetch a dmsg:// URL over dmsg HTTP",
  usage: "[flags] dmsg://PK[:PORT]/path",
  description: "Makes a throw-away key pair, joins dmsg through the discovery, fetches the URL\n" +
    "(port 80 when none is given) and prints the body on stdout. HTTP errors (4xx/5xx) print\n" +
    "the body and exit 1; a failure to reach the peer exits 1 with the reason on stderr.\n" +
    `The default discovery is production's (${SERVICES.prod.dmsgDiscovery}); for a local\n` +
    "'skywire up', pass the -d it prints. Redirects are not followed.",
  args: { min: 1, max: 1 },
  flags: {
    discovery: valueFlag({
      short: "d",
      valueName: "URL",
      description: "dmsg discovery",
      parse: urlValue,
      default: SERVICES.prod.dmsgDiscovery,
    }),
    output: stringFlag({
      short: "o",
      valueName: "FILE",
      description: "write the body to FILE (progress on a terminal)",
    }),
    json: withDescription(jsonFlag(), "print {status, headers, body} as JSON"),
    header: listFlag({
      short: "H",
      valueName: "'NAME: VALUE'",
      description: "send a request header (repeatable)",
    }),
    request: stringFlag({
      short: "X",
      valueName: "METHOD",
      description: "request method",
      default: "GET",
    }),
    data: stringFlag({ valueName: "TEXT", description: "request body" }),
    timeout: valueFlag({
      valueName: "DURATION",
      description: "give up after this long (Go duration)",
      parse: (text, flag) => {
        const ms = parseDuration(text);
        if (ms === undefined || ms <= 0) {
          throw new UsageError(`${flag} wants a duration such as "30s"`);
        }
        return ms;
      },
      default: 30_000,
      defaultText: "30s",
    }),
    verbose: booleanFlag({ short: "v", description: "log dmsg activity on stderr" }),
  },
  run: async ({ args, flags, out, err }) => {
    const url = args[0];
    let target: DmsgUrl;
    try {
      target = parseDmsgUrl(url);
    } catch (error) {
      if (error instanceof DmsgUrlError) throw new UsageError(error.message);
      throw error;
    }
    const timeoutMs = flags.timeout;
    const headers = new Headers();
    for (const header of flags.header) headers.append(...parseHeader(header));
    const method = flags.request.toUpperCase();

    using stop = stopOnSignals();
    const signal = AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]);
    const keys = generateKeyPair();
    const client = new DmsgClient({
      pk: keys.pk,
      sk: keys.sk,
      discovery: flags.discovery,
      // No client_type: discoveries from before it existed would fail our entry's signature.
      clientType: "",
      freshKey: true,
      // Nobody dials a curl: no entry update after its session, none to wait for on exit.
      dialOnly: true,
      yamux: { maxStreamWindowSize: RECEIVE_WINDOW_BYTES },
      logger: createLogger({ level: flags.verbose ? "debug" : "error", component: "dmsg" }),
    });
    let code = 0;
    try {
      // start() retries nothing itself, but a slow discovery must not outlast --timeout.
      // The destination's entry is looked up while the client starts, not after: one round
      // trip less. A failed lookup is left to the dial, which asks again and says why. The
      // client goes first: its registration is on the way to the session, the lookup is not.
      const starting = abortable(client.start(), signal);
      const lookup = client.discovery.getEntry(target.pk, { signal }).catch(() => undefined);
      await starting;
      const entry = await abortable(lookup, signal);
      const dialer = {
        dialStream: (addr: DmsgAddr, options?: { signal?: AbortSignal }) =>
          client.dialStream(addr, { ...options, entry }),
      };
      const response = await dmsgFetch(dialer, url, {
        method,
        headers,
        body: flags.data,
        signal,
      });
      const failed = response.status >= 400;
      if (flags.json) {
        const text = await response.text();
        let body: unknown = text;
        if (/\bjson\b/i.test(response.headers.get("content-type") ?? "")) {
          try {
            body = JSON.parse(text);
          } catch {
            // Not JSON after all: keep the text.
          }
        }
        out(JSON.stringify({
          status: response.status,
          status_text: response.statusText,
          headers: Object.fromEntries(response.headers),
          body,
        }));
      } else if (response.body) {
        const read: ReadInto = (p) => response.readInto(p);
        const length = Number(response.headers.get("content-length") ?? NaN);
        const total = Number.isFinite(length) ? length : undefined;
        if (flags.output !== undefined) {
          using file = await Deno.open(flags.output, {
            write: true,
            create: true,
            truncate: true,
          });
          await writeBody(read, file, total, `saving ${flags.output}`);
        } else {
          await writeBody(read, Deno.stdout, total, undefined);
        }
      }
      if (failed) {
        err(`skywire dmsg curl: HTTP ${response.status} ${response.statusText}`.trimEnd());
        code = 1;
      }
    } catch (error) {
      const reason = stop.signal.aborted
        ? "interrupted"
        : signal.aborted
        ? `timed out after ${formatDuration(timeoutMs)}`
        : failureText(error);
      err(`skywire dmsg curl: ${reason}`);
      code = 1;
    } finally {
      // Closing (entry deletion included) gets the usual budget, or a short one once the
      // command has given up (timeout, Ctrl-C); then the command exits anyway.
      await closeWithin(() => client.close({ deleteEntry: true }), {
        budgetMs: signal.aborted ? GAVE_UP_CLOSE_BUDGET_MS : undefined,
      });
    }
    return code;
  },
});
