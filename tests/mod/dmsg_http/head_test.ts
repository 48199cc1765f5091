import { assertEquals, assertThrows } from "@std/assert";
import {
  HttpParseError,
  parseRequestHead,
  parseResponseHead,
  requestFraming,
  responseFraming,
} from "../../../mod/dmsg_http/mod.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function parseError(fn: () => unknown, status = 400): HttpParseError {
  const error = assertThrows(fn, HttpParseError);
  assertEquals(error.status, status, error.message);
  return error;
}

Deno.test("parseRequestHead reads the request line and fields", () => {
  const head = parseRequestHead(
    bytes("POST /entry/?x=1 HTTP/1.1\r\nHost: 02ab:80\r\nX-A:  one \t\r\nx-a: two\r\n\r\n"),
  );
  assertEquals(head.method, "POST");
  assertEquals(head.target, "/entry/?x=1");
  assertEquals(head.version, "HTTP/1.1");
  assertEquals(head.headers.get("host"), "02ab:80");
  assertEquals(head.headers.get("x-a"), "one, two");
  // The pairs a Request is built from: as sent, repeated names kept apart.
  assertEquals(head.fields, [["Host", "02ab:80"], ["X-A", "one"], ["x-a", "two"]]);
  assertEquals(
    [...new Request("http://x/", { headers: head.fields }).headers],
    [...head.headers],
  );
});

Deno.test("parseRequestHead accepts LF-only line ends and HTTP/1.0", () => {
  const head = parseRequestHead(bytes("GET / HTTP/1.0\nA: b\n\n"));
  assertEquals(head.version, "HTTP/1.0");
  assertEquals(head.headers.get("a"), "b");
});

Deno.test("parseRequestHead keeps obs-text bytes in values as single characters", () => {
  const raw = new Uint8Array([
    ...bytes("GET / HTTP/1.1\r\nX: a"),
    0xe9,
    0x80,
    ...bytes("\r\n\r\n"),
  ]);
  assertEquals(parseRequestHead(raw).headers.get("x"), "a\u00e9\u0080");
});

Deno.test("parseRequestHead rejects malformed heads with 400", () => {
  const bad = [
    "GET /\r\n\r\n",
    "GET  / HTTP/1.1\r\n\r\n",
    "GET / HTTP/1.1 extra\r\n\r\n",
    "G(T / HTTP/1.1\r\n\r\n",
    "GET /a b HTTP/1.1\r\n\r\n",
    "GET / HTTP/1.x\r\n\r\n",
    "GET / http/1.1\r\n\r\n",
    "GET / HTTP/1.1\r\nNo colon\r\n\r\n",
    "GET / HTTP/1.1\r\nName : value\r\n\r\n",
    "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
    "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",
    "GET / HTTP/1.1\r\nA: b\x00c\r\n\r\n",
    "GET / HTTP/1.1\r\n: empty name\r\n\r\n",
    "GET /\x7f HTTP/1.1\r\n\r\n",
  ];
  for (const text of bad) parseError(() => parseRequestHead(bytes(text)));
});

Deno.test("parseRequestHead answers other major versions with 505", () => {
  parseError(() => parseRequestHead(bytes("GET / HTTP/2.0\r\n\r\n")), 505);
  parseError(() => parseRequestHead(bytes("PRI * HTTP/2.0\r\n\r\n")), 505);
});

Deno.test("a value made of spaces is parsed in linear time", () => {
  // A regex with a lazy group before trailing whitespace backtracks quadratically here.
  const text = "GET / HTTP/1.1\r\nX: a" + " ".repeat(60_000) + "b\r\n\r\n";
  assertEquals(parseRequestHead(bytes(text)).headers.get("x")?.length, 60_002);
});

Deno.test("requestFraming reads Content-Length and chunked, and refuses both at once", () => {
  const framing = (fields: string) =>
    requestFraming(parseRequestHead(bytes(`POST / HTTP/1.1\r\n${fields}\r\n`)));
  assertEquals(framing(""), { kind: "none" });
  assertEquals(framing("Content-Length: 0\r\n"), { kind: "none" });
  assertEquals(framing("Content-Length: 12\r\n"), { kind: "length", length: 12 });
  assertEquals(framing("Content-Length: 12\r\nContent-Length: 12\r\n"), {
    kind: "length",
    length: 12,
  });
  assertEquals(framing("Transfer-Encoding: Chunked\r\n"), { kind: "chunked" });
  parseError(() => framing("Content-Length: 12\r\nContent-Length: 13\r\n"));
  parseError(() => framing("Content-Length: -1\r\n"));
  parseError(() => framing("Content-Length: 1e3\r\n"));
  parseError(() => framing("Content-Length: 9999999999999999\r\n"));
  parseError(() => framing("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"));
  parseError(() => framing("Transfer-Encoding: gzip, chunked\r\n"), 501);
});

Deno.test("parseResponseHead reads status and reason, with or without a reason", () => {
  const ok = parseResponseHead(bytes("HTTP/1.1 404 Not Found\r\nA: 1\r\n\r\n"));
  assertEquals([ok.status, ok.statusText, ok.headers.get("a")], [404, "Not Found", "1"]);
  assertEquals(parseResponseHead(bytes("HTTP/1.1 200\r\n\r\n")).statusText, "");
  assertEquals(parseResponseHead(bytes("HTTP/1.0 299 \r\n\r\n")).status, 299);
  for (
    const text of [
      "HTTP/1.1 20 OK\r\n\r\n",
      "HTTP/1.1 2000 OK\r\n\r\n",
      "HTTP/1.1 099 X\r\n\r\n",
      "HTTP/1.1\r\n\r\n",
      "ICY 200 OK\r\n\r\n",
      "HTTP/1.1 200 O\x01K\r\n\r\n",
    ]
  ) parseError(() => parseResponseHead(bytes(text)));
});

Deno.test("responseFraming: HEAD, 1xx, 204 and 304 have no body; no length reads to close", () => {
  const head = (text: string) => parseResponseHead(bytes(text));
  assertEquals(responseFraming(head("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"), "HEAD"), {
    kind: "none",
  });
  assertEquals(responseFraming(head("HTTP/1.1 204 No Content\r\n\r\n"), "GET"), { kind: "none" });
  assertEquals(responseFraming(head("HTTP/1.1 304 X\r\nContent-Length: 5\r\n\r\n"), "GET"), {
    kind: "none",
  });
  assertEquals(responseFraming(head("HTTP/1.1 200 OK\r\n\r\n"), "GET"), { kind: "close" });
  assertEquals(
    responseFraming(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), "GET"),
    { kind: "chunked" },
  );
  assertEquals(responseFraming(head("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"), "GET"), {
    kind: "length",
    length: 7,
  });
});
