import { assert, assertEquals, assertRejects } from "@std/assert";
import { go, GobError, RpcClient, RpcError, rpcMethod, RpcServer } from "../../../mod/gob/mod.ts";
import * as T from "./_types.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { tcpPair } from "../../_util/tcp_pair.ts";

// A server on a real loopback port; stop() releases the listener and every connection.
function listen(server: RpcServer) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = (async () => {
    try {
      for await (const conn of listener) server.serve(conn);
    } catch {
      // The listener was closed.
    }
  })();
  return {
    dial: async () =>
      new RpcClient(await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port })),
    stop: async () => {
      listener.close();
      await accepting;
      await server.close();
    },
  };
}

// Promises the test settles by hand, to order handler completions without timers.
interface Gate {
  open(): void;
  opened: Promise<void>;
}
function gate(): Gate {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => open = resolve);
  return { open, opened };
}

const Echo = go.struct("test.Echo", { Text: go.string, N: go.int64 });

Deno.test("concurrent calls are matched by sequence number; replies come as handlers finish", async () => {
  const gates = new Map<string, Gate>();
  const server = new RpcServer();
  server.register("Gate", {
    Wait: rpcMethod(go.string, Echo, async (key) => {
      const g = gate();
      gates.set(key, g);
      await g.opened;
      return { Text: `${key}!`, N: BigInt(key.length) };
    }),
  });
  const { dial, stop } = listen(server);
  const client = await dial();
  const finished: string[] = [];
  const calls = ["a", "bb", "ccc"].map((key) =>
    client.call("Gate.Wait", { args: key, argsType: go.string, replyType: Echo }).then((r) => {
      finished.push(r.Text);
      return r;
    })
  );
  while (gates.size < 3) await new Promise((r) => setTimeout(r, 1));
  for (const key of ["ccc", "a", "bb"]) {
    gates.get(key)!.open();
    // Let this reply arrive before releasing the next handler.
    while (finished.length < ["ccc", "a", "bb"].indexOf(key) + 1) {
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  assertEquals(await Promise.all(calls), [
    { Text: "a!", N: 1n },
    { Text: "bb!", N: 2n },
    { Text: "ccc!", N: 3n },
  ]);
  assertEquals(finished, ["ccc!", "a!", "bb!"]);
  await client.close();
  await stop();
});

Deno.test("errors: handler text, Go's unknown service/method texts, bad args; the connection lives on", async () => {
  const server = new RpcServer();
  server.register("RPCGateway", {
    ReserveIDs: rpcMethod(go.uint8, T.RouteIDs, (n) => {
      if (n === 0) throw new Error("cannot reserve 0 ids");
      return Array.from({ length: n }, (_, i) => i + 1);
    }),
    Wrong: rpcMethod(go.uint8, go.uint8, () => 1000), // does not fit uint8
  });
  const { dial, stop } = listen(server);
  const client = await dial();
  const call = (method: string, args: unknown, argsType = go.uint8 as never) =>
    client.call(method, { args, argsType, replyType: T.RouteIDs });
  const failure = async (p: Promise<unknown>) => {
    const e = await assertRejects(() => p, RpcError);
    return [e.code, e.message];
  };
  assertEquals(await call("RPCGateway.ReserveIDs", 2), [1, 2]);
  assertEquals(await failure(call("RPCGateway.ReserveIDs", 0)), ["server", "cannot reserve 0 ids"]);
  assertEquals(await failure(call("RPCGateway.Nope", 1)), [
    "server",
    "rpc: can't find method RPCGateway.Nope",
  ]);
  assertEquals(await failure(call("Nope.ReserveIDs", 1)), [
    "server",
    "rpc: can't find service Nope.ReserveIDs",
  ]);
  assertEquals(await failure(call("NoDot", 1)), [
    "server",
    "rpc: service/method request ill-formed: NoDot",
  ]);
  const [code, text] = await failure(call("RPCGateway.ReserveIDs", "x", go.string as never));
  assertEquals(code, "server");
  assert(text.startsWith("gob: decoding into local type uint8"), text);
  const [, wrongText] = await failure(call("RPCGateway.Wrong", 1));
  assert(wrongText.includes("uint8"), wrongText);
  // A reply of another type than asked for fails that call only.
  const e = await assertRejects(
    () =>
      client.call("RPCGateway.ReserveIDs", { args: 1, argsType: go.uint8, replyType: go.string }),
    RpcError,
  );
  assertEquals(e.code, "reply");
  assertEquals(await call("RPCGateway.ReserveIDs", 3), [1, 2, 3]);
  await client.close();
  await stop();
});

Deno.test("closing the client fails pending and later calls with Go's shutdown text", async () => {
  const started = gate();
  const server = new RpcServer();
  server.register("Slow", {
    Forever: rpcMethod(go.bool, go.bool, async (_, { signal }) => {
      started.open();
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      throw new Error("aborted");
    }),
  });
  const { dial, stop } = listen(server);
  const client = await dial();
  const pending = client.call("Slow.Forever", {
    args: true,
    argsType: go.bool,
    replyType: go.bool,
  });
  await started.opened;
  await client.close();
  const e = await assertRejects(() => pending, RpcError);
  assertEquals([e.code, e.message], ["shutdown", "connection is shut down"]);
  const later = await assertRejects(
    () => client.call("Slow.Forever", { args: true, argsType: go.bool, replyType: go.bool }),
    RpcError,
  );
  assertEquals(later.message, "connection is shut down");
  await stop(); // aborts the handler
});

Deno.test("the server going away fails pending calls with unexpected EOF", async () => {
  const started = gate();
  const server = new RpcServer();
  server.register("Slow", {
    Forever: rpcMethod(go.bool, go.bool, async (_, { signal }) => {
      started.open();
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      return true;
    }),
  });
  const { dial, stop } = listen(server);
  const client = await dial();
  const pending = client.call("Slow.Forever", {
    args: true,
    argsType: go.bool,
    replyType: go.bool,
  });
  await started.opened;
  await stop();
  const e = await assertRejects(() => pending, RpcError);
  assertEquals([e.code, e.message], ["connection", "unexpected EOF"]);
  await client.closed;
  await client.close();
});

Deno.test("an aborted call rejects at once; its late reply is dropped", async () => {
  const release = gate();
  const server = new RpcServer();
  server.register("S", {
    Late: rpcMethod(go.uint16, go.uint16, async (n) => {
      await release.opened;
      return n + 1;
    }),
    Now: rpcMethod(go.uint16, go.uint16, (n) => n * 2),
  });
  const { dial, stop } = listen(server);
  const client = await dial();
  const abort = new AbortController();
  const late = client.call("S.Late", {
    args: 1,
    argsType: go.uint16,
    replyType: go.uint16,
    signal: abort.signal,
  });
  abort.abort();
  const e = await assertRejects(() => late, RpcError);
  assertEquals(e.code, "aborted");
  release.open();
  assertEquals(
    await client.call("S.Now", { args: 21, argsType: go.uint16, replyType: go.uint16 }),
    42,
  );
  await client.close();
  await stop();
});

Deno.test("maxConcurrentCalls bounds the handlers running on one connection", async () => {
  let running = 0, most = 0;
  const release = gate();
  const server = new RpcServer({ maxConcurrentCalls: 2 });
  server.register("S", {
    Work: rpcMethod(go.uint8, go.uint8, async (n) => {
      most = Math.max(most, ++running);
      await release.opened;
      running--;
      return n;
    }),
  });
  const { dial, stop } = listen(server);
  const client = await dial();
  const calls = [1, 2, 3, 4, 5].map((n) =>
    client.call("S.Work", { args: n, argsType: go.uint8, replyType: go.uint8 })
  );
  while (running < 2) await new Promise((r) => setTimeout(r, 1));
  release.open();
  assertEquals(await Promise.all(calls), [1, 2, 3, 4, 5]);
  assertEquals(most, 2);
  await client.close();
  await stop();
});

Deno.test("a malformed request stream drops the connection with a log line", async () => {
  const logger = captureLogger();
  const server = new RpcServer({ logger });
  server.register("S", { Now: rpcMethod(go.uint16, go.uint16, (n) => n) });
  const [conn, accepted] = await tcpPair();
  const serving = server.serve(accepted);
  // A type definition with a wireType field number out of range.
  await conn.write(Uint8Array.from([4, 0xff, 0x81, 0x09, 0x00]));
  const buf = new Uint8Array(16);
  assertEquals(await conn.read(buf), null); // the server hung up
  await serving;
  conn.close();
  assertEquals(logger.lines.length, 1);
  assert(logger.lines[0].includes("dropping rpc connection"), logger.lines[0]);
});

Deno.test("connection churn: many clients and calls, then everything is released", async () => {
  const server = new RpcServer();
  server.register("S", {
    Add: rpcMethod(T.RouteIDs, go.uint64, (ids) => BigInt(ids.reduce((a, b) => a + b, 0))),
  });
  const { dial, stop } = listen(server);
  for (let round = 0; round < 3; round++) {
    const clients = await Promise.all(Array.from({ length: 10 }, dial));
    const sums = await Promise.all(
      clients.flatMap((client, c) =>
        Array.from(
          { length: 10 },
          (_, i) =>
            client.call("S.Add", {
              args: [c, i, 1000],
              argsType: T.RouteIDs,
              replyType: go.uint64,
            }),
        )
      ),
    );
    assertEquals(sums.length, 100);
    assertEquals(sums[37], BigInt(3 + 7 + 1000));
    // Half close from the client side, half are closed by the server below.
    await Promise.all(clients.slice(0, 5).map((c) => c.close()));
    if (round === 2) {
      await stop();
      await Promise.all(clients.slice(5).map((c) => c.closed));
    }
    await Promise.all(clients.map((c) => c.close()));
  }
});

Deno.test("register refuses a second service of the same name", () => {
  const server = new RpcServer();
  server.register("S", {});
  let message = "";
  try {
    server.register("S", {});
  } catch (e) {
    message = (e as Error).message;
  }
  assertEquals(message, "rpc: service already defined: S");
});

Deno.test("arguments that do not fit their type reject the call with GobError and send nothing", async () => {
  const server = new RpcServer();
  server.register("S", { Now: rpcMethod(go.uint16, go.uint16, (n) => n) });
  const { dial, stop } = listen(server);
  const client = await dial();
  await assertRejects(
    () => client.call("S.Now", { args: -1, argsType: go.uint16, replyType: go.uint16 }),
    GobError,
  );
  assertEquals(
    await client.call("S.Now", { args: 7, argsType: go.uint16, replyType: go.uint16 }),
    7,
  );
  await client.close();
  await stop();
});
