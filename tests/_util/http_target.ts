import { seededBytes } from "./prng.ts";

/** A local HTTP server for proxy tests; closed with `await using`. */
export interface HttpTarget extends AsyncDisposable {
  /** The port it listens on. */
  port: number;
  /** The address it listens on (`127.0.0.1` or `::1`). */
  hostname: string;
  /** Requests served so far. */
  requests: number;
  /** Stop serving. */
  close(): Promise<void>;
}

/** Size limit of `/bytes/N` (keeps a typo from filling memory). */
const MAX_BYTES = 512 * 1024 * 1024;

/**
 * A real HTTP server on `hostname` (default 127.0.0.1), port 0:
 * - `GET /hello` → `hello from HOST:PORT`
 * - `GET /bytes/N?seed=S` → N bytes of {@linkcode seededBytes}(N, S), streamed in 64 KiB chunks
 * - `POST /echo` → the request body
 */
export function startHttpTarget(hostname = "127.0.0.1"): Promise<HttpTarget> {
  const { promise, resolve } = Promise.withResolvers<HttpTarget>();
  const target: HttpTarget = {
    port: 0,
    hostname,
    requests: 0,
    close: async () => {
      await server.shutdown();
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
  const server = Deno.serve({
    hostname,
    port: 0,
    onListen: ({ port }) => {
      target.port = port;
      resolve(target);
    },
  }, async (request) => {
    target.requests++;
    const url = new URL(request.url);
    if (url.pathname === "/hello") {
      return new Response(`hello from ${hostname}:${target.port}`);
    }
    const bytes = url.pathname.match(/^\/bytes\/(\d+)$/);
    if (bytes) {
      const size = Number(bytes[1]);
      if (size > MAX_BYTES) return new Response("too big", { status: 400 });
      const seed = Number(url.searchParams.get("seed") ?? "1");
      return new Response(chunked(size, seed), {
        headers: { "content-length": String(size) },
      });
    }
    if (url.pathname === "/echo" && request.method === "POST") {
      return new Response(await request.arrayBuffer());
    }
    return new Response("not found", { status: 404 });
  });
  return promise;
}

// seededBytes(size, seed) handed out 64 KiB at a time, so the response streams with backpressure.
function chunked(size: number, seed: number): ReadableStream<Uint8Array> {
  const all = seededBytes(size, seed);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= size) return controller.close();
      const end = Math.min(size, offset + 64 * 1024);
      controller.enqueue(all.subarray(offset, end));
      offset = end;
    },
  });
}

/** SHA-256 of `bytes`, lowercase hex. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
