/**
 * The HTTP/1.1 client side against scripted servers on real TCP sockets (answers written
 * byte by byte as a peer might send them), plus backpressure over an exact in-memory pipe.
 */
import { assert, assertEquals, assertInstanceOf, assertRejects } from "@std/assert";
import { concatBytes } from "../../../mod/conn/mod.ts";
import {
  type DmsgResponse,
  HttpClientConnection,
  HttpParseError,
  HttpTimeoutError,
  serveHttpConnection,
} from "../../../mod/dmsg_http/mod.ts";
import { HttpReader } from "../../../mod/dmsg_http/_reader.ts";
import { memoryPipe } from "../../_util/memory_pipe.ts";
import { tcpPair } from "../../_util/tcp_pair.ts";
import { send } from "./_util.ts";

/** A TCP server that reads each request head and answers with the next scripted bytes. */
async function scripted(
  answers: Array<string | Uint8Array>,
  fn: (connection: HttpClientConnection, heads: string[]) => Promise<void>,
  options: { closeAfter?: boolean } = {},
): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const heads: string[] = [];
  const serving = (async () => {
    const conn = await listener.accept();
    const reader = new HttpReader(conn);
    try {
      for (const answer of answers) {
        const head = await reader.readHead(65536, "request");
        if (head === null) break;
        heads.push(new TextDecoder().decode(head));
        await send(conn, answer);
      }
      if (options.closeAfter) conn.close();
      else await reader.waitForData().catch(() => false);
    } finally {
      try {
        conn.close();
      } catch {
        // Closed above.
      }
    }
  })();
  const connection = new HttpClientConnection(
    await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
  );
  try {
    await fn(connection, heads);
  } finally {
    connection.close();
    await serving;
    listener.close();
  }
}

const get = (path = "/") => new Request(`http://02ab:80${path}`);

Deno.test("Content-Length, chunked and read-until-close bodies are read in full", async () => {
  await scripted([
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
    '4;ext="x"\r\nwiki\r\n5\r\npedia\r\n0\r\nTrailer: yes\r\n\r\n',
    "HTTP/1.1 200 OK\r\n\r\nuntil the end",
  ], async (connection, heads) => {
    assertEquals(await (await connection.request(get("/a"))).text(), "hello");
    assert(connection.reusable);
    assertEquals(await (await connection.request(get("/b"))).text(), "wikipedia");
    assert(connection.reusable);
    const last = await connection.request(get("/c"));
    assertEquals(await last.text(), "until the end");
    assert(!connection.reusable, "a close-delimited body ends the connection");
    assertEquals(heads[0].split("\r\n")[0], "GET /a HTTP/1.1");
    assert(heads[0].includes("Host: 02ab\r\n") || heads[0].includes("Host: 02ab:80\r\n"));
    assert(heads[0].includes("User-Agent: skywire/"));
  }, { closeAfter: true });
});

/** The whole body through `readInto`, in reads of at most `size` bytes. */
async function readAllInto(response: DmsgResponse, size: number): Promise<string> {
  const parts: Uint8Array[] = [];
  for (;;) {
    const p = new Uint8Array(size);
    const n = await response.readInto(p);
    if (n === null) break;
    parts.push(p.subarray(0, n));
  }
  return new TextDecoder().decode(concatBytes(parts));
}

Deno.test("readInto reads the same bodies straight from the connection, which stays reusable", async () => {
  await scripted([
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
    '4;ext="x"\r\nwiki\r\n5\r\npedia\r\n0\r\nTrailer: yes\r\n\r\n',
    "HTTP/1.1 204 No Content\r\n\r\n",
    "HTTP/1.1 200 OK\r\n\r\nuntil the end",
  ], async (connection) => {
    assertEquals(await readAllInto(await connection.request(get("/a")), 2), "hello");
    assert(connection.reusable);
    assertEquals(await readAllInto(await connection.request(get("/b")), 3), "wikipedia");
    assert(connection.reusable);
    assertEquals(await readAllInto(await connection.request(get("/n")), 8), "");
    assert(connection.reusable);
    assertEquals(await readAllInto(await connection.request(get("/c")), 4096), "until the end");
    assert(!connection.reusable, "a close-delimited body ends the connection");
  }, { closeAfter: true });
});

Deno.test("readInto: a body cut short rejects with HttpParseError; a body whose stream has a reader refuses", async () => {
  await scripted(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"], async (connection) => {
    const response = await connection.request(get());
    await assertRejects(() => readAllInto(response, 4), HttpParseError);
    assert(connection.closed);
  }, { closeAfter: true });
  await scripted(["HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"], async (connection) => {
    const response = await connection.request(get());
    const reader = response.body!.getReader();
    await assertRejects(() => response.readInto(new Uint8Array(8)), HttpParseError);
    assertEquals(new TextDecoder().decode((await reader.read()).value), "hello");
  });
});

Deno.test("interim 1xx answers are skipped; HEAD and 204 leave the connection reusable", async () => {
  await scripted([
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n" +
    "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
    "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
    "HTTP/1.1 204 No Content\r\n\r\n",
  ], async (connection) => {
    const created = await connection.request(
      new Request("http://h/", { method: "POST", body: "data" }),
    );
    assertEquals([created.status, created.statusText, await created.text()], [
      201,
      "Created",
      "ok",
    ]);
    const head = await connection.request(new Request("http://h/", { method: "HEAD" }));
    assertEquals([head.status, head.body, head.headers.get("content-length")], [
      200,
      null,
      "1000",
    ]);
    assert(connection.reusable);
    const empty = await connection.request(get());
    assertEquals([empty.status, empty.body], [204, null]);
    assert(connection.reusable);
  });
});

Deno.test("redirects are returned, not followed", async () => {
  await scripted([
    "HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n",
  ], async (connection) => {
    const response = await connection.request(get());
    assertEquals([response.status, response.headers.get("location")], [302, "/elsewhere"]);
  });
});

Deno.test("malformed answers reject with HttpParseError and close the connection", async () => {
  const bad = [
    "HTTP/1.1 2x0 OK\r\n\r\n",
    "HTTP/1.1 200 OK\r\nBad Field\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: br\r\n\r\n",
    "HTTP/1.1 101 Switching Protocols\r\n\r\n",
    "HTTP/1.1 700 Odd\r\n\r\n",
    "SSH-2.0-OpenSSH\r\n\r\n",
  ];
  for (const answer of bad) {
    await scripted([answer], async (connection) => {
      await assertRejects(() => connection.request(get()), HttpParseError);
      assert(connection.closed);
    });
  }
});

Deno.test("a body cut short or with a bad chunk errors the body stream", async () => {
  await scripted(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"], async (connection) => {
    const response = await connection.request(get());
    await assertRejects(() => response.arrayBuffer(), HttpParseError);
  }, { closeAfter: true });
  await scripted(
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX"],
    async (connection) => {
      const response = await connection.request(get());
      await assertRejects(() => response.arrayBuffer(), HttpParseError);
      assert(connection.closed);
    },
  );
});

Deno.test("the abort signal's reason ends a request waiting for its answer and a body mid-way", async () => {
  await scripted([], async (connection) => {
    const controller = new AbortController();
    const pending = connection.request(get(), { signal: controller.signal });
    controller.abort(new Error("stop waiting"));
    const error = await pending.catch((e) => e);
    assertEquals(error.message, "stop waiting");
    assert(connection.closed);
  });
  await scripted(["HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart"], async (connection) => {
    const controller = new AbortController();
    const response = await connection.request(get(), { signal: controller.signal });
    const reader = response.body!.getReader();
    assertEquals(new TextDecoder().decode((await reader.read()).value), "part");
    controller.abort(new Error("enough"));
    const error = await reader.read().catch((e) => e);
    assertEquals(error.message, "enough");
  });
});

Deno.test("a silent server fails the request with HttpTimeoutError", async () => {
  const [dialed, server] = await tcpPair();
  const connection = new HttpClientConnection(dialed, { timeoutMs: 100 });
  const error = await connection.request(get()).catch((e) => e);
  assertInstanceOf(error, HttpTimeoutError);
  assert(connection.closed);
  server.close();
});

Deno.test("response bodies stream with backpressure: an unread body stops the sender", async () => {
  const [clientSide, serverSide] = memoryPipe(64 * 1024);
  const total = 64 * 1024 * 1024;
  let produced = 0;
  const serving = serveHttpConnection(serverSide, () =>
    new Response(
      new ReadableStream({
        pull(controller) {
          if (produced >= total) return controller.close();
          controller.enqueue(new Uint8Array(64 * 1024));
          produced += 64 * 1024;
        },
      }, { highWaterMark: 0 }),
    ));
  const connection = new HttpClientConnection(clientSide);
  const response = await connection.request(get());
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert(produced < 2 * 1024 * 1024, `${produced} bytes produced while nothing was read`);
  let received = 0;
  for await (const chunk of response.body!) received += chunk.length;
  assertEquals(received, total);
  connection.close();
  await serving;
});

Deno.test("a request body streams up while the answer streams down (echo of 8 MB)", async () => {
  const [clientSide, serverSide] = memoryPipe(64 * 1024);
  const serving = serveHttpConnection(
    serverSide,
    (request) => new Response(request.body),
  );
  const connection = new HttpClientConnection(clientSide);
  const size = 8 * 1024 * 1024;
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      controller.enqueue(new Uint8Array(32 * 1024).fill(sent / (32 * 1024)));
      sent += 32 * 1024;
    },
  });
  const response = await connection.request(
    new Request("http://h/echo", { method: "POST", body, duplex: "half" } as RequestInit),
  );
  assertEquals(response.headers.get("transfer-encoding"), "chunked");
  const echoed = new Uint8Array(await response.arrayBuffer());
  assertEquals(echoed.length, size);
  assertEquals(echoed[size - 1], size / (32 * 1024) - 1);
  connection.close();
  await serving;
});
