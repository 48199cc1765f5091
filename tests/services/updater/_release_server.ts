/**
 * A real HTTP/1.1 release server for tests, on 127.0.0.1 port 0, written over raw TCP so faults
 * can be exact: Range requests, responses cut after N bytes, and the whole server going down
 * mid-download. Every request is recorded with the bytes of body actually sent.
 */

/** One request the server saw. */
export interface ServedRequest {
  /** Request path. */
  path: string;
  /** `Range` header, if any. */
  range?: string;
  /** Status answered. */
  status: number;
  /** Body bytes written to the socket. */
  bodyBytes: number;
}

/** A fault applied to the next request for a path (once). */
export type Fault =
  | { kind: "cut"; afterBytes: number } // send full headers, N body bytes, then close the socket
  | { kind: "die"; afterBytes: number } // as `cut`, and stop the whole server
  | { kind: "status"; status: number };

/** A running release server. */
export interface ReleaseServer extends AsyncDisposable {
  /** Base URL ending in `/`. */
  readonly url: string;
  /** Requests so far. */
  readonly requests: ServedRequest[];
  /** Serve `bytes` at `/name`. */
  put(name: string, bytes: Uint8Array | string): void;
  /** Apply `fault` to the next request for `/name`. */
  fault(name: string, fault: Fault): void;
  /** Whether the server is still accepting. */
  readonly up: boolean;
  /** Stop accepting and close every connection. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();

async function readHead(conn: Deno.Conn): Promise<string | undefined> {
  const buffer = new Uint8Array(16 * 1024);
  let used = 0;
  while (used < buffer.length) {
    const n = await conn.read(buffer.subarray(used));
    if (n === null) return undefined;
    used += n;
    const text = new TextDecoder().decode(buffer.subarray(0, used));
    if (text.includes("\r\n\r\n")) return text;
  }
  return undefined;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

/** Start a release server. */
export function startReleaseServer(): ReleaseServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const files = new Map<string, Uint8Array>();
  const faults = new Map<string, Fault>();
  const requests: ServedRequest[] = [];
  const conns = new Set<Deno.Conn>();
  const handlers = new Set<Promise<void>>();
  let up = true;

  const handle = async (conn: Deno.Conn) => {
    try {
      const head = await readHead(conn);
      if (!head) return;
      const [requestLine, ...headerLines] = head.split("\r\n");
      const path = decodeURIComponent(requestLine.split(" ")[1] ?? "/");
      const range = headerLines.find((l) => /^range:/i.test(l))?.split(":")[1]?.trim();
      const name = path.replace(/^\//, "");
      const fault = faults.get(name);
      faults.delete(name);
      const file = files.get(name);
      const record: ServedRequest = { path, range, status: 0, bodyBytes: 0 };
      requests.push(record);
      const send = async (status: number, headers: Record<string, string>, body: Uint8Array) => {
        record.status = status;
        const lines = [`HTTP/1.1 ${status} X`, "connection: close"];
        for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
        await writeAll(conn, encoder.encode(lines.join("\r\n") + "\r\n\r\n"));
        let limit = body.length;
        if (fault?.kind === "cut" || fault?.kind === "die") {
          limit = Math.min(limit, fault.afterBytes);
        }
        await writeAll(conn, body.subarray(0, limit));
        record.bodyBytes = limit;
        if (fault?.kind === "die") {
          up = false;
          listener.close();
        }
      };
      if (fault?.kind === "status") {
        return await send(fault.status, { "content-length": "0" }, new Uint8Array());
      }
      if (!file) return await send(404, { "content-length": "0" }, new Uint8Array());
      const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
      if (m) {
        const start = Number(m[1]);
        if (start >= file.length) {
          return await send(416, {
            "content-range": `bytes */${file.length}`,
            "content-length": "0",
          }, new Uint8Array());
        }
        const body = file.subarray(start);
        return await send(206, {
          "content-length": String(body.length),
          "content-range": `bytes ${start}-${file.length - 1}/${file.length}`,
        }, body);
      }
      await send(200, { "content-length": String(file.length), "accept-ranges": "bytes" }, file);
    } catch {
      // The client went away; nothing to do.
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  };

  const acceptLoop = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        const p = handle(conn);
        handlers.add(p);
        p.finally(() => handlers.delete(p));
      }
    } catch {
      // Listener closed.
    }
  })();

  const close = async () => {
    if (up) {
      up = false;
      listener.close();
    }
    for (const conn of conns) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
    await acceptLoop;
    await Promise.all([...handlers]);
  };

  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`,
    requests,
    put: (name, bytes) =>
      files.set(name, typeof bytes === "string" ? encoder.encode(bytes) : bytes),
    fault: (name, fault) => faults.set(name, fault),
    get up() {
      return up;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
