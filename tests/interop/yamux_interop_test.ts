/**
 * Our yamux against Go's (github.com/hashicorp/yamux v0.1.1, what dmsg vendors), both ways:
 * ours as client with the Go program in tests/interop/go/yamuxpeer as server, and the reverse.
 *
 * The Go program is built from the committed go.mod/go.sum into a temp dir. Without `go`, or
 * when the module cannot be fetched, the tests are registered as ignored and the reason printed.
 */
import { assert, assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { writeAll } from "../../mod/conn/mod.ts";
import {
  RemoteGoAwayError,
  Session,
  SessionClosedError,
  type Stream,
} from "../../mod/yamux/mod.ts";
import { seededBytes } from "../_util/prng.ts";
import { readAllFrom } from "../mod/yamux/_util.ts";

const PROGRAM_DIR = new URL("./go/yamuxpeer/", import.meta.url);
const BUILD_TIMEOUT_MS = 180_000;

async function buildPeer(): Promise<string | { binary: string }> {
  try {
    await new Deno.Command("go", { args: ["version"], stdout: "null", stderr: "null" }).output();
  } catch {
    return "go is not on PATH";
  }
  const dir = await Deno.makeTempDir({ prefix: "skywire-yamuxpeer-" });
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // Best effort: the temp dir is only a build output.
    }
  });
  const build = await new Deno.Command("go", {
    args: ["build", "-o", `${dir}/yamuxpeer`, "."],
    cwd: PROGRAM_DIR,
    env: { GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(BUILD_TIMEOUT_MS),
  }).output().catch((error) => ({ success: false, stderr: new TextEncoder().encode(`${error}`) }));
  if (!build.success) {
    const lines = new TextDecoder().decode(build.stderr).trim().split("\n");
    return `go build of tests/interop/go/yamuxpeer failed (${lines.at(-1)?.trim()})`;
  }
  return { binary: `${dir}/yamuxpeer` };
}

const peer = await buildPeer();
const skipReason = typeof peer === "string" ? peer : undefined;
if (skipReason) console.log(`yamux interop tests ignored: ${skipReason}`);

/** The running Go program: its stdout lines, its stderr, and its exit. */
class GoPeer {
  readonly #child: Deno.ChildProcess;
  readonly #lines: string[] = [];
  #lineWaiters: Array<() => void> = [];
  readonly #stdoutDone: Promise<void>;
  readonly #stderr: Promise<string>;

  constructor(args: string[]) {
    this.#child = new Deno.Command((peer as { binary: string }).binary, {
      args: [...args, "-lifetime", "90s"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdoutDone = this.#collect();
    this.#stderr = new Response(this.#child.stderr).text();
  }

  async #collect(): Promise<void> {
    let rest = "";
    for await (const text of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + text).split("\n");
      rest = parts.pop()!;
      this.#lines.push(...parts);
      for (const wake of this.#lineWaiters.splice(0)) wake();
    }
    for (const wake of this.#lineWaiters.splice(0)) wake();
  }

  /** Wait for a stdout line starting with `prefix` (the line is returned). */
  async line(prefix: string): Promise<string> {
    for (;;) {
      const found = this.#lines.find((line) => line.startsWith(prefix));
      if (found !== undefined) return found;
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#lineWaiters.push(resolve);
      const ended = await Promise.race([
        promise.then(() => false),
        this.#stdoutDone.then(() => true),
      ]);
      if (ended && !this.#lines.some((line) => line.startsWith(prefix))) {
        throw new Error(`Go peer ended without "${prefix}"; stderr:\n${await this.#stderr}`);
      }
    }
  }

  /** Wait for the process to exit; returns its code and stderr. */
  async exit(): Promise<{ code: number; stderr: string }> {
    const [status, stderr] = await Promise.all([this.#child.status, this.#stderr]);
    await this.#stdoutDone;
    return { code: status.code, stderr };
  }

  kill(): void {
    try {
      this.#child.kill();
    } catch {
      // Already exited.
    }
  }
}

async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Open a stream, send a command line (and `body`), half-close, and return the whole answer. */
async function command(session: Session, line: string, body?: Uint8Array): Promise<string> {
  const stream = await session.open();
  try {
    await writeAll(stream, encoder.encode(line + "\n"));
    if (body) await writeAll(stream, body);
    await stream.closeWrite();
    return decoder.decode(await readAllFrom(stream)).trim();
  } finally {
    stream.close();
  }
}

/** Answer a stream the Go side opened: read to EOF, write back the hex SHA-256, half-close. */
async function answerWithChecksum(stream: Stream): Promise<number> {
  const data = await readAllFrom(stream, 7000);
  await writeAll(stream, encoder.encode(await sha256Hex(data)));
  await stream.closeWrite();
  stream.close();
  return data.length;
}

async function exchange(session: Session): Promise<void> {
  // Ping both ways.
  assert((await session.ping()) >= 0);
  assert((await command(session, "ping")).startsWith("ok "));

  // 10 MB echo on one stream, written and read at the same time.
  const payload = seededBytes(10 * 1024 * 1024, 11);
  const echo = await session.open();
  const [, echoed] = await Promise.all([
    (async () => {
      await writeAll(echo, encoder.encode("echo\n"));
      await writeAll(echo, payload);
      await echo.closeWrite();
    })(),
    readAllFrom(echo),
  ]);
  echo.close();
  assertEquals(echoed.length, payload.length);
  assertEquals(await sha256Hex(echoed), await sha256Hex(payload));

  // Half-close from our side: Go reads EOF and still answers.
  const body = seededBytes(1_000_003, 12);
  assertEquals(await command(session, "sha", body), await sha256Hex(body));

  // Go opens 8 streams to us, half-closes each, and checks the checksum we send back after it.
  const answered: Promise<number>[] = [];
  const accepting = (async () => {
    for (let i = 0; i < 8; i++) {
      const stream = await session.accept();
      assert(stream, "session closed while the Go peer was opening streams");
      answered.push(answerWithChecksum(stream));
    }
  })();
  accepting.catch(() => {}); // awaited below; a failure here must not surface as unhandled first
  assertEquals(await command(session, "open 8 300000"), "ok");
  await accepting;
  assertEquals(await Promise.all(answered), Array(8).fill(300_000));
}

async function goAwayBothWays(session: Session): Promise<void> {
  // Ours: after goAway() the Go side may no longer open streams to us.
  const probe = await session.open();
  await writeAll(probe, encoder.encode("probe\n"));
  await session.goAway();
  await writeAll(probe, encoder.encode("go\n"));
  await probe.closeWrite();
  assertEquals(decoder.decode(await readAllFrom(probe)).trim(), "refused");
  probe.close();

  // Theirs: after Go's GoAway our open() is refused.
  assertEquals(await command(session, "goaway"), "ok");
  await assertRejects(() => session.open(), RemoteGoAwayError);
}

Deno.test({
  name: "yamux interop: ours as client with a Go yamux server",
  ignore: skipReason !== undefined,
  async fn() {
    const go = new GoPeer(["-listen", "127.0.0.1:0"]);
    try {
      const address = (await go.line("LISTEN ")).slice("LISTEN ".length);
      const [hostname, port] = [
        address.slice(0, address.lastIndexOf(":")),
        address.split(":").at(-1),
      ];
      const conn = await Deno.connect({ hostname, port: Number(port) });
      const session = new Session(conn, { role: "client" });
      await go.line("SESSION");
      await exchange(session);
      await goAwayBothWays(session);
      await session.close();
      assertEquals(await session.closed, undefined);
      await go.line("CLOSED");
      const { code, stderr } = await go.exit();
      assertEquals(code, 0, stderr);
    } finally {
      go.kill();
      await go.exit();
    }
  },
});

Deno.test({
  name: "yamux interop: a Go yamux client with ours as server",
  ignore: skipReason !== undefined,
  async fn() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const go = new GoPeer(["-connect", `127.0.0.1:${listener.addr.port}`]);
    try {
      const conn = await listener.accept();
      listener.close();
      const session = new Session(conn, { role: "server" });
      await go.line("SESSION");
      await exchange(session);
      await goAwayBothWays(session);
      await session.close();
      await go.line("CLOSED");
      const { code, stderr } = await go.exit();
      assertEquals(code, 0, stderr);
    } finally {
      try {
        listener.close();
      } catch {
        // Closed above.
      }
      go.kill();
      await go.exit();
    }
  },
});

Deno.test({
  name: "yamux interop: Go closing the session ends ours and its streams",
  ignore: skipReason !== undefined,
  async fn() {
    const go = new GoPeer(["-listen", "127.0.0.1:0"]);
    try {
      const address = (await go.line("LISTEN ")).slice("LISTEN ".length);
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: Number(address.split(":").at(-1)),
      });
      const session = new Session(conn, { role: "client" });
      const idle = await session.open(); // a stream left open when the session goes
      await writeAll(idle, encoder.encode("echo\n"));
      const stream = await session.open();
      await writeAll(stream, encoder.encode("close\n"));
      assertInstanceOf(await session.closed, SessionClosedError);
      await assertRejects(() => idle.read(new Uint8Array(16)), SessionClosedError);
      assertEquals(session.stats().streams, 0);
      const { code, stderr } = await go.exit();
      assertEquals(code, 0, stderr);
    } finally {
      go.kill();
      await go.exit();
    }
  },
});
