/**
 * The HTTP/1.1 server over real TCP sockets on 127.0.0.1 (the same code serves dmsg streams;
 * see dmsg_http_test.ts for those): keep-alive, pipelining, chunked and large bodies,
 * malformed input, limits and timeouts, shutdown, and curl as a real client.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { type HttpHandler, serveHttp } from "../../../mod/dmsg_http/mod.ts";
import { connect, RawResponseReader, send, sha256Hex, tcpListener, withServer } from "./_util.ts";
import { seededBytes } from "../../_util/prng.ts";

const echoInfo: HttpHandler<Deno.TcpConn> = async (request) => {
  const body = request.body ? new Uint8Array(await request.arrayBuffer()) : new Uint8Array(0);
  return Response.json({
    method: request.method,
    url: request.url,
    length: body.length,
    sha256: await sha256Hex(body),
  });
};

Deno.test("serveHttp keeps a connection alive across requests", async () => {
  const streams = new Set<Deno.TcpConn>();
  await withServer((request, info) => {
    streams.add(info.stream);
    return new Response(new URL(request.url).pathname);
  }, async (port) => {
    using conn = await connect(port);
    const responses = new RawResponseReader(conn);
    await send(conn, "GET /one HTTP/1.1\r\nHost: a\r\n\r\n");
    assertEquals((await responses.next())?.text, "/one");
    await send(conn, "GET /two HTTP/1.1\r\nHost: a\r\n\r\n");
    const second = await responses.next();
    assertEquals(second?.text, "/two");
    assertEquals(second?.headers.get("connection"), null);
    assertEquals(streams.size, 1);
  });
});

Deno.test("pipelined requests are answered in order on one connection", async () => {
  await withServer(echoInfo, async (port) => {
    using conn = await connect(port);
    await send(
      conn,
      "GET /a HTTP/1.1\r\nHost: h\r\n\r\n" +
        "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz" +
        "GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    );
    const responses = new RawResponseReader(conn);
    const urls = [];
    for (let i = 0; i < 3; i++) urls.push(JSON.parse((await responses.next())!.text).url);
    assertEquals(urls, ["http://h/a", "http://h/b", "http://h/c"]);
    assert(await responses.ended(), "Connection: close ends the connection");
  });
});

Deno.test("a chunked request body reaches the handler and a long response goes out chunked", async () => {
  await withServer(async (request) => {
    const text = await request.text();
    const parts = Array.from({ length: 40 }, (_, i) => `${i}:${text};`.repeat(200));
    return new Response(new Blob(parts).stream());
  }, async (port) => {
    using conn = await connect(port);
    await send(
      conn,
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
        "3;name=value\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: 1\r\n\r\n",
    );
    const response = (await new RawResponseReader(conn).next())!;
    assertEquals(response.headers.get("transfer-encoding"), "chunked");
    const expected = Array.from({ length: 40 }, (_, i) => `${i}:abcde;`.repeat(200)).join("");
    assertEquals(response.text, expected);
  });
});

Deno.test("20 MB go up and 20 MB come back streamed, checksums intact", async () => {
  const data = seededBytes(20 * 1024 * 1024, 7);
  const digest = await sha256Hex(data);
  await withServer(
    (request) => new Response(request.body, { headers: { "x-echo": "1" } }),
    async (port) => {
      using conn = await connect(port);
      const writing = send(
        conn,
        `PUT /echo HTTP/1.1\r\nHost: h\r\nContent-Length: ${data.length}\r\n\r\n`,
      ).then(() => send(conn, data));
      const response = (await new RawResponseReader(conn).next())!;
      await writing;
      assertEquals(response.status, 200);
      assertEquals(response.body.length, data.length);
      assertEquals(await sha256Hex(response.body), digest);
    },
  );
});

Deno.test("malformed requests get their 4xx/5xx answer and the connection closes", async () => {
  const cases: Array<[string, number]> = [
    ["BLAH\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nHost: h\r\nBad Header: x\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\n folded\r\n\r\n", 400],
    ["POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400],
    ["POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\n\r\n", 400],
    ["GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400],
    ["GET nopath HTTP/1.1\r\nHost: h\r\n\r\n", 400],
    ["GET / HTTP/3.0\r\nHost: h\r\n\r\n", 505],
    ["POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 501],
    ["POST / HTTP/1.1\r\nHost: h\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx", 417],
  ];
  let handled = 0;
  await withServer(() => {
    handled++;
    return new Response("handled");
  }, async (port) => {
    for (const [text, status] of cases) {
      using conn = await connect(port);
      await send(conn, text);
      const responses = new RawResponseReader(conn);
      const response = await responses.next();
      assertEquals(response?.status, status, JSON.stringify(text));
      assertEquals(response?.headers.get("connection"), "close");
      assert(await responses.ended(), `closed after ${JSON.stringify(text)}`);
    }
  });
  assertEquals(handled, 0);
});

Deno.test("a bad chunk in a request body fails the handler's read; the connection closes", async () => {
  let readError = "";
  await withServer(async (request) => {
    try {
      await request.arrayBuffer();
    } catch (error) {
      readError = (error as Error).name;
      return new Response("bad body", { status: 400 });
    }
    return new Response("read");
  }, async (port) => {
    using conn = await connect(port);
    await send(conn, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    const responses = new RawResponseReader(conn);
    assertEquals((await responses.next())?.status, 400);
    assert(await responses.ended());
  });
  assertEquals(readError, "HttpParseError");
});

Deno.test("a head over maxHeaderBytes gets 431", async () => {
  await withServer(() => new Response("no"), async (port) => {
    using conn = await connect(port);
    await send(conn, `GET / HTTP/1.1\r\nHost: h\r\nX-Big: ${"a".repeat(5000)}\r\n\r\n`);
    assertEquals((await new RawResponseReader(conn).next())?.status, 431);
  }, { maxHeaderBytes: 4096 });
});

Deno.test("a head that never completes is closed at the header timeout, unanswered", async () => {
  await withServer(() => new Response("no"), async (port) => {
    using conn = await connect(port);
    await send(conn, "GET / HTTP/1.1\r\nHost: h\r\n");
    const responses = new RawResponseReader(conn);
    assert(await responses.ended(), "closed without an answer");
  }, { headerTimeoutMs: 100 });
});

Deno.test("an idle kept-alive connection is closed at the idle timeout", async () => {
  await withServer(() => new Response("hi"), async (port) => {
    using conn = await connect(port);
    await send(conn, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    const responses = new RawResponseReader(conn);
    assertEquals((await responses.next())?.text, "hi");
    assert(await responses.ended(), "idle connection closed");
  }, { idleTimeoutMs: 100 });
});

Deno.test("HTTP/1.0 gets Connection: close and the connection ends after the answer", async () => {
  await withServer(
    () => new Response(new Blob(["x".repeat(100_000)]).stream()),
    async (port) => {
      using conn = await connect(port);
      await send(conn, "GET / HTTP/1.0\r\n\r\n");
      const responses = new RawResponseReader(conn);
      const response = await responses.next();
      assertEquals(response?.headers.get("connection"), "close");
      // Too long to buffer, and HTTP/1.0 reads no chunks: delimited by the close itself.
      assertEquals(response?.headers.get("transfer-encoding"), null);
      assertEquals(response?.body.length, 100_000);
      assert(await responses.ended());
    },
  );
});

Deno.test("Expect: 100-continue gets 100 Continue once the handler reads the body", async () => {
  await withServer(echoInfo, async (port) => {
    using conn = await connect(port);
    await send(
      conn,
      "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n",
    );
    const responses = new RawResponseReader(conn);
    assertEquals((await responses.next())?.status, 100);
    await send(conn, "abcd");
    assertEquals(JSON.parse((await responses.next())!.text).length, 4);
  });
});

Deno.test("an unread body up to 256 KiB is skipped to keep the connection; a larger one closes it", async () => {
  await withServer(() => new Response("ignored your body"), async (port) => {
    using conn = await connect(port);
    const responses = new RawResponseReader(conn);
    const small = 200 * 1024;
    await send(conn, `POST / HTTP/1.1\r\nHost: h\r\nContent-Length: ${small}\r\n\r\n`);
    await send(conn, new Uint8Array(small));
    assertEquals((await responses.next())?.status, 200);
    await send(conn, "GET /again HTTP/1.1\r\nHost: h\r\n\r\n");
    assertEquals((await responses.next())?.text, "ignored your body");

    using big = await connect(port);
    const bigResponses = new RawResponseReader(big);
    await send(big, `POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000\r\n\r\n`);
    const writing = send(big, new Uint8Array(1_000_000)).catch(() => {});
    assertEquals((await bigResponses.next())?.status, 200);
    assert(await bigResponses.ended(), "a body over the discard limit closes the connection");
    await writing;
  });
});

Deno.test("HEAD, 204 and 304 answers carry no body, and the connection stays usable", async () => {
  await withServer((request) => {
    const path = new URL(request.url).pathname;
    if (path === "/204") return new Response(null, { status: 204 });
    if (path === "/304") return new Response(null, { status: 304 });
    return new Response("body!", { headers: { "content-length": "5" } });
  }, async (port) => {
    using conn = await connect(port);
    const responses = new RawResponseReader(conn);
    await send(conn, "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n");
    const head = await responses.next("HEAD");
    assertEquals([head?.status, head?.headers.get("content-length")], [200, "5"]);
    await send(conn, "GET /204 HTTP/1.1\r\nHost: h\r\n\r\n");
    assertEquals((await responses.next())?.status, 204);
    await send(conn, "GET /304 HTTP/1.1\r\nHost: h\r\n\r\n");
    assertEquals((await responses.next())?.status, 304);
    await send(conn, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    assertEquals((await responses.next())?.text, "body!");
  });
});

Deno.test("a handler that throws gives 500; one returning a short body closes the connection", async () => {
  await withServer((request) => {
    if (request.url.endsWith("/throw")) throw new Error("boom");
    return new Response("abc", { headers: { "content-length": "10" } });
  }, async (port) => {
    using conn = await connect(port);
    const responses = new RawResponseReader(conn);
    await send(conn, "GET /throw HTTP/1.1\r\nHost: h\r\n\r\n");
    assertEquals((await responses.next())?.status, 500);
    await send(conn, "GET /short HTTP/1.1\r\nHost: h\r\n\r\n");
    // The head promised 10 bytes; only closing can end the 3 that came.
    const error = await responses.next().catch((e) => e);
    assertEquals(error?.name, "HttpParseError");
  });
});

Deno.test("shutdown closes idle connections and lets a request in flight finish", async () => {
  const { port, listener } = tcpListener();
  const { promise: entered, resolve: enter } = Promise.withResolvers<void>();
  const { promise: release, resolve: finish } = Promise.withResolvers<void>();
  const server = serveHttp(listener, async () => {
    enter();
    await release;
    return new Response("finished");
  });
  using idle = await connect(port);
  using busy = await connect(port);
  await send(busy, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  await entered;
  const stopping = server.shutdown();
  const idleResponses = new RawResponseReader(idle);
  assert(await idleResponses.ended(), "idle connection closed at shutdown");
  finish();
  const response = await new RawResponseReader(busy).next();
  assertEquals(response?.text, "finished");
  assertEquals(response?.headers.get("connection"), "close");
  await stopping;
  assertEquals(server.connections, 0);
});

Deno.test("an aborted signal stops the server; maxConnections holds further streams back", async () => {
  const { port, listener } = tcpListener();
  const controller = new AbortController();
  let served = 0;
  const server = serveHttp(listener, () => {
    served++;
    return new Response("ok");
  }, { signal: controller.signal, maxConnections: 1 });
  using first = await connect(port);
  const firstResponses = new RawResponseReader(first);
  await send(first, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  assertEquals((await firstResponses.next())?.text, "ok");
  using second = await connect(port);
  await send(second, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  // The first connection holds the only slot: the second is not accepted while it lasts.
  await new Promise((resolve) => setTimeout(resolve, 100));
  assertEquals(served, 1);
  first.close();
  assertEquals((await new RawResponseReader(second).next())?.text, "ok");
  assertEquals(served, 2);
  controller.abort();
  await server.finished;
});

Deno.test("curl: keep-alive across two URLs, a chunked upload and a HEAD", async () => {
  await using dir = await Deno.makeTempDir().then((path) => ({
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  }));
  const upload = seededBytes(3 * 1024 * 1024, 3);
  await Deno.writeFile(`${dir.path}/upload.bin`, upload);
  await withServer(echoInfo, async (port) => {
    const base = `http://127.0.0.1:${port}`;
    const twice = await new Deno.Command("curl", {
      args: ["-sS", "-w", "\\n%{num_connects}\\n", `${base}/a`, `${base}/b`],
      stdout: "piped",
    }).output();
    const lines = new TextDecoder().decode(twice.stdout).trim().split("\n");
    assertEquals(JSON.parse(lines[0]).url, `${base}/a`);
    assertEquals(lines[1], "1");
    assertEquals(JSON.parse(lines[2]).url, `${base}/b`);
    assertEquals(lines[3], "0", "curl reused the connection for the second URL");

    const put = await new Deno.Command("curl", {
      args: [
        "-sS",
        "-H",
        "Transfer-Encoding: chunked",
        "--data-binary",
        `@${dir.path}/upload.bin`,
        `${base}/up`,
      ],
      stdout: "piped",
    }).output();
    const answer = JSON.parse(new TextDecoder().decode(put.stdout));
    assertEquals(answer.length, upload.length);
    assertEquals(answer.sha256, await sha256Hex(upload));

    const head = await new Deno.Command("curl", {
      args: ["-sS", "-I", `${base}/h`],
      stdout: "piped",
    }).output();
    assertMatch(new TextDecoder().decode(head.stdout), /^HTTP\/1\.1 200 OK\r\n/);
  });
});

Deno.test("200 connections, each with a request, leave no connection behind", async () => {
  const { port, listener } = tcpListener();
  const server = serveHttp(listener, () => new Response("ok"));
  for (let round = 0; round < 20; round++) {
    await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      using conn = await connect(port);
      const close = i % 2 === 0 ? "Connection: close\r\n" : "";
      await send(conn, `GET / HTTP/1.1\r\nHost: h\r\n${close}\r\n`);
      assertEquals((await new RawResponseReader(conn).next())?.text, "ok");
    }));
  }
  const end = Date.now() + 5_000;
  while (server.connections > 0 && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assertEquals(server.connections, 0);
  await server.shutdown();
});

Deno.test("a body dripped a byte per chunk reaches the handler in exact-size chunks", async () => {
  // Chunks in shared 64 KiB buffers would pin 64 KiB per byte dripped: an attacker's slow
  // body would cost the server thousands of times its size.
  const pinned: number[] = [];
  await withServer(async (request) => {
    const reader = request.body!.getReader();
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      pinned.push(value.buffer.byteLength);
    }
    return new Response(String(bytes));
  }, async (port) => {
    using conn = await connect(port);
    const responses = new RawResponseReader(conn);
    await send(conn, "POST /drip HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (let i = 0; i < 200; i++) {
      await send(conn, "1\r\na\r\n");
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await send(conn, "0\r\n\r\n");
    assertEquals((await responses.next())?.text, "200");
    const total = pinned.reduce((a, b) => a + b, 0);
    assert(total <= 200 * 2, `200 bytes pinned ${total} bytes of buffers`);
  });
});

Deno.test("each request on a keep-alive connection has its own signal; only the one in progress aborts", async () => {
  const signals: AbortSignal[] = [];
  const aborted = Promise.withResolvers<void>();
  await withServer((request) => {
    signals.push(request.signal);
    if (new URL(request.url).pathname === "/done") return new Response("done");
    // Waits for the client to go away (the request's signal says so).
    request.signal.addEventListener("abort", () => aborted.resolve());
    return new Promise<Response>(() => {});
  }, async (port) => {
    const conn = await connect(port);
    const responses = new RawResponseReader(conn);
    for (let i = 0; i < 3; i++) {
      await send(conn, "GET /done HTTP/1.1\r\nHost: a\r\n\r\n");
      assertEquals((await responses.next())?.text, "done");
    }
    await send(conn, "GET /hang HTTP/1.1\r\nHost: a\r\n\r\n");
    while (signals.length < 4) await new Promise((resolve) => setTimeout(resolve, 5));
    conn.close();
    await aborted.promise;
  });
  assertEquals(signals.map((s) => s.aborted), [false, false, false, true]);
});

Deno.test("a shortcut answers the GETs it takes; every other request reaches the handler", async () => {
  const asked: string[] = [];
  const bytes = new TextEncoder().encode("fast");
  await withServer(
    (request) => new Response(`handler ${request.method} ${new URL(request.url).pathname}`),
    async (port) => {
      using conn = await connect(port);
      const responses = new RawResponseReader(conn);
      // Pipelined: shortcut and handler answers keep their order on one connection.
      await send(
        conn,
        "GET /fast HTTP/1.1\r\nHost: h\r\n\r\n" +
          "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n" +
          "POST /fast HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n" +
          "GET /fast HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab" +
          "GET /throw HTTP/1.1\r\nHost: h\r\n\r\n" +
          "GET /fast HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
      );
      const fast = await responses.next();
      assertEquals([fast?.status, fast?.text], [203, "fast"]);
      assertEquals(fast?.headers.get("x-way"), "short");
      assertEquals(fast?.headers.get("content-length"), "4");
      assertMatch(fast?.headers.get("date") ?? "", /^\w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT$/);
      assertEquals((await responses.next())?.text, "handler GET /slow");
      assertEquals((await responses.next())?.text, "handler POST /fast");
      // A GET with a body is the handler's (the body is read past).
      assertEquals((await responses.next())?.text, "handler GET /fast");
      // A shortcut that throws leaves the request to the handler.
      assertEquals((await responses.next())?.text, "handler GET /throw");
      const last = await responses.next();
      assertEquals([last?.text, last?.headers.get("connection")], ["fast", "close"]);
      assertEquals(await responses.next(), null);
      assertEquals(asked, ["/fast", "/slow", "/throw", "/fast"]);
    },
    {
      shortcut: (head) => {
        asked.push(head.target);
        if (head.target === "/throw") throw new Error("shortcut failed");
        return head.target === "/fast"
          ? { status: 203, fields: [["x-way", "short"]], bytes }
          : undefined;
      },
    },
  );
});
