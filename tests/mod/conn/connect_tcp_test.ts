import { assert, assertEquals, assertRejects } from "@std/assert";
import { connectTcp, TcpStream } from "../../../mod/conn/mod.ts";
import { eventually } from "../../_util/eventually.ts";
import { Prng } from "../../_util/prng.ts";

/** A listener that counts what it accepts and which of those the other side has closed. */
function countingListener() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<TcpStream>();
  let accepted = 0;
  const drains: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const raw of listener) {
      const conn = new TcpStream(raw);
      accepted++;
      open.add(conn);
      drains.push((async () => {
        try {
          while ((await conn.read(new Uint8Array(64))) !== null) { /* drain */ }
        } catch {
          // Reset: closed all the same.
        }
        open.delete(conn);
        conn.close();
      })());
    }
  })();
  return {
    port: listener.addr.port,
    open,
    get accepted() {
      return accepted;
    },
    async close() {
      listener.close();
      await accepting;
      for (const conn of open) conn.close();
      await Promise.all(drains);
    },
  };
}

Deno.test("connectTcp: a connect given up at any moment leaves no socket open on either side", async () => {
  const server = countingListener();
  const prng = new Prng(7);
  let given = 0, made = 0;
  try {
    for (let i = 0; i < 300; i++) {
      const controller = new AbortController();
      const giveUp = () => controller.abort(new Error("gave up"));
      // Aborts spread over the connect's whole life on loopback, before and after it completes.
      // A third are given up before the connect can finish (a microtask runs before any I/O) and
      // a third never are, so both outcomes occur however busy the machine is.
      if (i % 3 === 0) queueMicrotask(giveUp);
      else if (i % 3 === 1) setTimeout(giveUp, prng.next() * 2);
      await connectTcp({ hostname: "127.0.0.1", port: server.port, signal: controller.signal })
        .then((conn) => {
          made++;
          conn.close();
        }, (error) => {
          assertEquals(error.message, "gave up");
          given++;
        });
    }
    assert(given > 0 && made > 0, `both outcomes seen (given up ${given}, made ${made})`);
    // Every connection the server saw is closed from our side, the late ones too.
    await eventually(() => server.open.size === 0, "every accepted connection closed");
  } finally {
    await server.close();
  }
});

Deno.test("connectTcp: an aborted signal does not connect; a plain connect is a TcpStream", async () => {
  const server = countingListener();
  try {
    const aborted = new AbortController();
    aborted.abort(new Error("before"));
    await assertRejects(
      () => connectTcp({ hostname: "127.0.0.1", port: server.port, signal: aborted.signal }),
      Error,
      "before",
    );
    const conn = await connectTcp({ hostname: "127.0.0.1", port: server.port, timeoutMs: 5_000 });
    await eventually(() => server.accepted === 1, "the connect accepted");
    conn.close();
    conn.close();
    await eventually(() => server.open.size === 0, "closed");
  } finally {
    await server.close();
  }
});
