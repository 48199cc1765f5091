/**
 * Fuzzing of every parser of peer bytes in mod/dmsg_http: request and response heads, framing,
 * Content-Length, chunked bodies with extensions and trailers, and keep-alive sequences of
 * messages. Inputs come from a seeded PRNG: valid messages, mutations of them, splices and
 * random bytes, delivered in random-sized reads. Only `HttpParseError` may be thrown, every
 * input must finish, and buffers stay within the configured limits.
 */
import { assert, assertEquals } from "@std/assert";
import {
  HttpParseError,
  parseRequestHead,
  parseResponseHead,
  requestFraming,
  responseFraming,
} from "../../../mod/dmsg_http/mod.ts";
import { HttpReader } from "../../../mod/dmsg_http/_reader.ts";
import { MessageBody } from "../../../mod/dmsg_http/_body.ts";
import { seededRandom } from "./_util.ts";

const INPUTS = 100_000;
const MAX_HEAD = 2048;
const MAX_MESSAGES = 6;
const encoder = new TextEncoder();

const REQUESTS = [
  "GET /health HTTP/1.1\r\nHost: 02ab:80\r\n\r\n",
  "POST /entry/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
  "PUT /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
  "5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nTrailer: t\r\n\r\n",
  "GET / HTTP/1.0\nA: b\n\n",
  "\r\n\r\nDELETE /a?b=c HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
];
const RESPONSES = [
  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n",
  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
  "HTTP/1.0 200 OK\r\n\r\nuntil close",
  "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found",
  "HTTP/1.1 304\r\nETag: x\r\n\r\n",
];
const TOKENS = [
  "\r\n",
  "\n",
  "\r",
  ":",
  " ",
  "\t",
  ";",
  "0",
  "ffffffffffffff",
  "Content-Length: ",
  "Transfer-Encoding: chunked",
  "HTTP/1.1",
  "HTTP/2.0",
  "\x00",
  "\xff",
];

class TooLarge extends Error {}

/** Delivers `data` in random-sized reads. */
function memoryStream(data: Uint8Array, random: () => number) {
  let offset = 0;
  return {
    read(p: Uint8Array): Promise<number | null> {
      if (offset >= data.length) return Promise.resolve(null);
      const n = Math.min(p.length, data.length - offset, 1 + Math.floor(random() * 64));
      p.set(data.subarray(offset, offset + n));
      offset += n;
      return Promise.resolve(n);
    },
  };
}

function mutate(base: Uint8Array, random: () => number): Uint8Array {
  const bytes = Array.from(base);
  const steps = 1 + Math.floor(random() * 4);
  for (let s = 0; s < steps; s++) {
    const at = Math.floor(random() * (bytes.length + 1));
    switch (Math.floor(random() * 6)) {
      case 0:
        if (bytes.length) bytes[at % bytes.length] = Math.floor(random() * 256);
        break;
      case 1:
        bytes.splice(at, Math.floor(random() * 8));
        break;
      case 2:
        bytes.splice(at, 0, ...encoder.encode(TOKENS[Math.floor(random() * TOKENS.length)]));
        break;
      case 3:
        bytes.splice(at, 0, ...bytes.slice(at, at + Math.floor(random() * 32)));
        break;
      case 4:
        bytes.length = at;
        break;
      default:
        bytes.splice(at, 0, Math.floor(random() * 256));
    }
  }
  return new Uint8Array(bytes);
}

function input(corpus: string[], random: () => number): Uint8Array {
  const pick = () => encoder.encode(corpus[Math.floor(random() * corpus.length)]);
  const kind = random();
  if (kind < 0.05) {
    const out = new Uint8Array(Math.floor(random() * 256));
    for (let i = 0; i < out.length; i++) out[i] = Math.floor(random() * 256);
    return out;
  }
  // Several messages in a row exercise keep-alive parsing.
  const count = 1 + Math.floor(random() * 3);
  const parts = Array.from({ length: count }, pick);
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return kind < 0.15 ? joined : mutate(joined, random);
}

async function parseAll(
  data: Uint8Array,
  random: () => number,
  side: "request" | "response",
): Promise<number> {
  const reader = new HttpReader(memoryStream(data, random));
  let messages = 0;
  try {
    for (; messages < MAX_MESSAGES; messages++) {
      const bytes = await reader.readHead(MAX_HEAD, side);
      if (bytes === null) break;
      assert(bytes.length <= MAX_HEAD + 2, "head within its limit");
      const framing = side === "request"
        ? requestFraming(parseRequestHead(bytes))
        : responseFraming(parseResponseHead(bytes), "GET");
      if (framing.kind === "none") continue;
      const body = new MessageBody(reader, framing, { maxTrailerBytes: MAX_HEAD });
      // A third of the bodies are read through the stream, a third whole from the connection
      // (within a random limit), a third discarded by the connection.
      const mode = random();
      if (mode < 1 / 3) {
        const got = await new Response(body.stream()).arrayBuffer();
        if (framing.kind === "length") assertEquals(got.byteLength, framing.length);
      } else if (mode < 2 / 3) {
        const limit = Math.floor(random() * 64);
        let got: Uint8Array;
        try {
          got = await body.readAll(limit, () => new TooLarge())!;
        } catch (error) {
          if (!(error instanceof TooLarge)) throw error;
          assert(!body.complete, "a body over the limit is given up");
          break;
        }
        assert(got.length <= limit && body.complete, "whole, within the limit");
        if (framing.kind === "length") assertEquals(got.length, framing.length);
      } else if (!(await body.discard(1 << 20))) {
        break;
      }
    }
  } catch (error) {
    if (!(error instanceof HttpParseError)) throw error;
  }
  return messages;
}

for (const side of ["request", "response"] as const) {
  Deno.test(`${side} parsing survives ${INPUTS} random and mutated inputs`, async () => {
    const random = seededRandom(side === "request" ? 0x5eed1 : 0x5eed2);
    const corpus = side === "request" ? REQUESTS : RESPONSES;
    let parsed = 0;
    for (let i = 0; i < INPUTS; i++) {
      parsed += await parseAll(input(corpus, random), random, side);
    }
    // The corpus part of the inputs must parse: a fuzz run that parses nothing proves nothing.
    assert(parsed > INPUTS / 10, `only ${parsed} messages parsed`);
  });
}

Deno.test("an endless head stops at the limit with 431, and an endless chunk line at its own", async () => {
  const endless = {
    read(p: Uint8Array) {
      p.fill(0x61);
      return Promise.resolve(p.length);
    },
  };
  const reader = new HttpReader(endless);
  const error = await reader.readHead(MAX_HEAD, "request").catch((e) => e);
  assert(error instanceof HttpParseError);
  assertEquals(error.status, 431);
  const chunked = new MessageBody(new HttpReader(endless), { kind: "chunked" }, {
    maxTrailerBytes: MAX_HEAD,
  });
  assertEquals(await chunked.discard(1 << 20), false);
});
