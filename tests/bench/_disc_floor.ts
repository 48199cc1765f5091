/**
 * The runtime's floor for the discovery throughput bench: the least a Deno process can do to
 * answer the same load (a POST stores its body in Deno KV under the entry's key, a GET of an
 * entry reads it back or answers 404, `/entries` lists the stored bodies), over HTTP/1.1 on a
 * plain TCP listener. No validation, no signatures, no limits: what it needs in memory and CPU
 * is Deno's (V8, KV, TCP), so the bench can tell that part from ours.
 *
 * Run: `deno run -A --unstable-kv _disc_floor.ts STORE_PATH`; prints its base URL, then serves
 * until killed.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEAD_END = encoder.encode("\r\n\r\n");

function indexOfHeadEnd(buf: Uint8Array): number {
  outer: for (let i = 0; i + HEAD_END.length <= buf.length; i++) {
    for (let j = 0; j < HEAD_END.length; j++) if (buf[i + j] !== HEAD_END[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

async function answer(kv: Deno.Kv, head: string, body: Uint8Array): Promise<[number, Uint8Array]> {
  const [method, path] = head.split(" ");
  if (method === "POST") {
    const key = JSON.parse(decoder.decode(body)).static as string;
    await kv.set(["entry", key], body);
    return [200, encoder.encode('"OK"')];
  }
  if (path.includes("/entry/")) {
    const found = await kv.get<Uint8Array>(["entry", path.slice(path.lastIndexOf("/") + 1)]);
    return found.value ? [200, found.value] : [404, encoder.encode('"not found"')];
  }
  const keys: string[] = [];
  for await (const e of kv.list({ prefix: ["entry"] })) keys.push(JSON.stringify(e.key[1]));
  return [200, encoder.encode(`[${keys.join(",")}]`)];
}

async function serveConn(kv: Deno.Kv, conn: Deno.TcpConn): Promise<void> {
  const chunk = new Uint8Array(16 * 1024);
  let buf: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  const fill = async (): Promise<boolean> => {
    const n = await conn.read(chunk);
    if (n === null) return false;
    buf = concat(buf, chunk.subarray(0, n));
    return true;
  };
  try {
    for (;;) {
      let end: number;
      while ((end = indexOfHeadEnd(buf)) < 0) if (!(await fill())) return;
      const head = decoder.decode(buf.subarray(0, end));
      const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      const start = end + HEAD_END.length;
      while (buf.length < start + length) if (!(await fill())) return;
      const body = buf.slice(start, start + length);
      buf = buf.slice(start + length);
      const [status, out] = await answer(kv, head, body);
      const resHead = `HTTP/1.1 ${status} ${status === 200 ? "OK" : "Not Found"}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${out.length}\r\n\r\n`;
      const bytes = concat(encoder.encode(resHead), out);
      for (let sent = 0; sent < bytes.length;) sent += await conn.write(bytes.subarray(sent));
    }
  } catch {
    // The client went away mid-request: nothing to answer.
  } finally {
    conn.close();
  }
}

if (import.meta.main) {
  const kv = await Deno.openKv(Deno.args[0]);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log(`http://127.0.0.1:${listener.addr.port}`);
  for await (const conn of listener) serveConn(kv, conn);
}
