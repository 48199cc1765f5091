import { assert, assertEquals } from "@std/assert";
import { serveHttp } from "../../../mod/http/mod.ts";

Deno.test("serveHttp serves on a free port and close() returns within the grace time", async () => {
  const { promise: stuck, resolve: release } = Promise.withResolvers<void>();
  const service = await serveHttp({
    addr: "127.0.0.1:0",
    graceMs: 200,
    fetch: async (req, info) => {
      if (new URL(req.url).pathname === "/hang") await stuck;
      return new Response(info.remoteAddr.hostname);
    },
  });
  assertEquals(service.url, `http://127.0.0.1:${service.port}`);
  assertEquals(await (await fetch(`${service.url}/`)).text(), "127.0.0.1");
  const hanging = fetch(`${service.url}/hang`).then((r) => r.text()).catch(() => "");
  await new Promise((r) => setTimeout(r, 50));
  const started = Date.now();
  await service.close();
  await service.close();
  assertEquals(Date.now() - started < 2_000, true);
  release();
  await hanging;
});

Deno.test("serveHttp on a taken port names the address", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const addr = `127.0.0.1:${(taken.addr as Deno.NetAddr).port}`;
  const error = await serveHttp({ addr, fetch: () => new Response() }).catch((e) => e);
  assertEquals(error instanceof Deno.errors.AddrInUse, true);
  assertEquals(error.message, `cannot listen on ${addr}: address already in use`);
});

const encoder = new TextEncoder();

/** Resolves when the server has closed `conn` (EOF or reset), or `false` after `ms`. */
async function closedByServer(conn: Deno.Conn, ms: number): Promise<boolean> {
  const buf = new Uint8Array(4096);
  const deadline = Date.now() + ms;
  for (;;) {
    const timer = new Promise<"wait">((r) => setTimeout(() => r("wait"), deadline - Date.now()));
    const got = await Promise.race([conn.read(buf).catch(() => null), timer]);
    if (got === null) return true;
    if (got === "wait") return false;
  }
}

async function waitFor(what: string, check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("serveHttp frees slowloris sockets: silent, trickled heads, endless bodies, idle", async () => {
  const limits = { headerTimeoutMs: 300, bodyTimeoutMs: 400, idleTimeoutMs: 500 };
  const service = await serveHttp({
    addr: "127.0.0.1:0",
    limits,
    fetch: async (req) => new Response(String((await req.arrayBuffer()).byteLength)),
  });
  try {
    const connect = () => Deno.connect({ hostname: "127.0.0.1", port: service.port });
    const silent = await Promise.all(Array.from({ length: 20 }, connect));
    const trickled = await Promise.all(Array.from({ length: 20 }, connect));
    const endless = await Promise.all(Array.from({ length: 20 }, connect));
    await waitFor("60 connections", () => service.connections === 60);
    const started = Date.now();
    // Heads that never end, a byte every 50 ms; bodies whose chunks never stop.
    let stop = false;
    const drip = (async () => {
      for (const c of endless) {
        await c.write(
          encoder.encode("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"),
        );
      }
      for (let i = 0; !stop; i++) {
        for (const c of trickled) {
          await c.write(encoder.encode("GET / HTTP/1.1\r\n"[i % 16])).catch(() => 0);
        }
        for (const c of endless) await c.write(encoder.encode("1\r\na\r\n")).catch(() => 0);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const all = [...silent, ...trickled, ...endless];
    const closed = await Promise.all(all.map((c) => closedByServer(c, 3_000)));
    stop = true;
    await drip;
    assertEquals(closed.filter((c) => !c).length, 0, "every held socket was closed");
    assert(Date.now() - started < 2_500, `${Date.now() - started} ms`);
    await waitFor("no connections left", () => service.connections === 0);
    for (const c of all) c.close();

    // An idle keep-alive connection after a real request goes too.
    const kept = await connect();
    await kept.write(encoder.encode("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
    const answer = new Uint8Array(1024);
    const n = await kept.read(answer);
    assert(new TextDecoder().decode(answer.subarray(0, n ?? 0)).startsWith("HTTP/1.1 200"));
    assert(await closedByServer(kept, 2_000), "idle keep-alive closed");
    kept.close();
  } finally {
    await service.close();
  }
});

Deno.test("serveHttp caps connections per remote IP; other addresses are still served", async () => {
  const { connect } = await import("node:net");
  const service = await serveHttp({
    addr: "127.0.0.1:0",
    limits: { maxConnectionsPerIp: 5 },
    fetch: (_req, info) => new Response(info.remoteAddr.hostname),
  });
  const sockets: Array<import("node:net").Socket> = [];
  try {
    const closedEarly: boolean[] = [];
    for (let i = 0; i < 12; i++) {
      const socket = connect({ host: "127.0.0.1", port: service.port, localAddress: "127.0.0.2" });
      sockets.push(socket);
      closedEarly.push(false);
      socket.on("close", () => closedEarly[i] = true);
      socket.on("error", () => {});
    }
    await waitFor("refused sockets closed", () => closedEarly.filter(Boolean).length === 7);
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(closedEarly.filter(Boolean).length, 7, "5 held, 7 closed at once");
    assertEquals(service.connections, 5);
    // 127.0.0.1 is another address: served as usual.
    assertEquals(await (await fetch(service.url)).text(), "127.0.0.1");
    // A freed slot is given back.
    sockets[closedEarly.indexOf(false)].destroy();
    // (fetch keeps its own connection from 127.0.0.1 open: count relative to now.)
    const held = service.connections;
    await waitFor("slot freed", () => service.connections === held - 1);
    const again = connect({ host: "127.0.0.1", port: service.port, localAddress: "127.0.0.2" });
    sockets.push(again);
    let refused = false;
    again.on("close", () => refused = true);
    await new Promise((r) => setTimeout(r, 200));
    assertEquals(refused, false);
    assertEquals(service.connections, held);
    // This host's own address is not capped (local tools, a reverse proxy).
    const local = await Promise.all(
      Array.from({ length: 8 }, () => Deno.connect({ hostname: "127.0.0.1", port: service.port })),
    );
    await waitFor("local connections held", () => service.connections === held + 8);
    for (const c of local) c.close();
  } finally {
    for (const s of sockets) s.destroy();
    await service.close();
  }
});

Deno.test("at the file limit (EMFILE) accepting backs off and resumes; the process lives", async () => {
  const child = new Deno.Command("prlimit", {
    args: [
      "--nofile=160:160",
      Deno.execPath(),
      "run",
      "-A",
      new URL("./_emfile_child.ts", import.meta.url).pathname,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr: string[] = [];
  const collecting = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (t) => void stderr.push(t) }),
  );
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const held: Deno.Conn[] = [];
  try {
    const port = Number((await reader.read()).value?.trim());
    assert(port > 0, stderr.join(""));
    // Far more connections than the child has descriptors left.
    for (let i = 0; i < 300; i++) held.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    await waitFor("EMFILE noticed", () => stderr.join("").includes("cannot accept"), 10_000);
    assert(stderr.join("").includes("Too many open files"), stderr.join(""));
    const status = await Promise.race([
      child.status,
      new Promise<"running">((r) => setTimeout(() => r("running"), 500)),
    ]);
    assertEquals(status, "running", `the server survives the fd limit: ${stderr.join("")}`);
    for (const c of held.splice(0)) c.close();
    // Descriptors come back; the server accepts and answers again.
    let answer = "";
    for (let i = 0; i < 50 && answer !== "alive"; i++) {
      answer = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()).catch(() => "");
      if (answer !== "alive") await new Promise((r) => setTimeout(r, 200));
    }
    assertEquals(answer, "alive");
  } finally {
    for (const c of held) c.close();
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited (the assertions above say why).
    }
    await child.status;
    await reader.cancel();
    await collecting.catch(() => {});
  }
});

Deno.test("serveHttp's handler info: the remote address, and completed settles after the answer", async () => {
  const settled: string[] = [];
  const service = await serveHttp({
    addr: "127.0.0.1:0",
    fetch: (req, info) => {
      info.completed.then(() => settled.push(`sent ${new URL(req.url).pathname}`));
      return new Response(`${info.remoteAddr.hostname} ${info.remoteAddr.transport}`);
    },
  });
  try {
    assertEquals(await (await fetch(`${service.url}/a`)).text(), "127.0.0.1 tcp");
    await waitFor("completed", () => settled.length === 1);
    assertEquals(settled, ["sent /a"]);
  } finally {
    await service.close();
  }
});

Deno.test("serveHttp streams an unfinished body as it comes and stops it when the client goes", async () => {
  let cancelled = false;
  let aborted = false;
  const service = await serveHttp({
    addr: "127.0.0.1:0",
    fetch: (req) => {
      req.signal.addEventListener("abort", () => aborted = true);
      let timer: ReturnType<typeof setInterval> | undefined;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode("data: first\n\n"));
          // Then an event every 10 s: far later than the test waits.
          timer = setInterval(() => controller.enqueue(encoder.encode("data: x\n\n")), 10_000);
        },
        cancel() {
          cancelled = true;
          clearInterval(timer);
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    },
  });
  try {
    const abort = new AbortController();
    const res = await fetch(service.url, { signal: abort.signal });
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    assertEquals(new TextDecoder().decode(value), "data: first\n\n");
    abort.abort();
    await reader.cancel().catch(() => {});
    await waitFor("the body's producer stopped", () => cancelled && aborted, 2_000);
  } finally {
    await service.close();
  }
});
