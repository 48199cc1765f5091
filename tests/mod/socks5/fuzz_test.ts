import { assert, assertEquals } from "@std/assert";
import { type ByteStream, concatBytes, readFull, writeAll } from "../../../mod/conn/mod.ts";
import {
  encodeGreeting,
  encodeReply,
  encodeRequest,
  encodeUserPass,
  readGreeting,
  readMethodSelection,
  readReply,
  readRequest,
  readUserPass,
  readUserPassStatus,
  socks5Connect,
  Socks5Error,
  socksAddress,
} from "../../../mod/socks5/mod.ts";
import { memoryPipe } from "../../_util/memory_pipe.ts";
import { mutate, Prng } from "../dmsg/_fuzz.ts";
import { startProxy } from "./_proxy.ts";

const SEED = 0x50c5;

// Valid messages each parser is fuzzed from.
function parserSeeds(): Array<[string, (s: ByteStream) => Promise<unknown>, Uint8Array[]]> {
  const requests = [
    encodeRequest(1, socksAddress("127.0.0.1", 80)),
    encodeRequest(1, socksAddress("::1", 443)),
    encodeRequest(1, socksAddress("example.com", 8080)),
  ];
  return [
    ["greeting", (s) => readGreeting(s), [encodeGreeting([0]), encodeGreeting([0, 2, 1])]],
    ["user/pass", (s) => readUserPass(s), [encodeUserPass("alice", "secret")]],
    ["request", (s) => readRequest(s), requests],
    ["reply", (s) => readReply(s), [encodeReply(0), encodeReply(5, socksAddress("::1", 1))]],
    ["method", (s) => readMethodSelection(s), [Uint8Array.of(5, 0)]],
    ["status", (s) => readUserPassStatus(s), [Uint8Array.of(1, 0)]],
  ];
}

Deno.test("socks5 fuzz: parsers give a message or a Socks5Error, nothing else", async () => {
  const rng = new Prng(SEED);
  let parsed = 0, refused = 0;
  for (const [name, parse, seeds] of parserSeeds()) {
    for (let i = 0; i < 1500; i++) {
      const input = i % 5 === 0 ? rng.bytes(rng.int(40)) : mutate(rng, rng.pick(seeds));
      const [a, b] = memoryPipe();
      await writeAll(a, input);
      await a.closeWrite!();
      try {
        await parse(b);
        parsed++;
      } catch (error) {
        if (!(error instanceof Socks5Error)) {
          throw new Error(`${name} #${i} threw ${error} on [${input}]`);
        }
        refused++;
      } finally {
        a.close();
        b.close();
      }
    }
  }
  assert(parsed > 1000 && refused > 1000, `parsed ${parsed}, refused ${refused}`);
});

// A target that echoes, the only one the fuzzed proxy may reach.
function startEcho(): Deno.TcpListener & { done: Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const done = (async () => {
    const conns: Promise<void>[] = [];
    try {
      for await (const conn of listener) {
        conns.push((async () => {
          const buf = new Uint8Array(16 * 1024);
          try {
            for (let n; (n = await conn.read(buf)) !== null;) {
              await writeAll(conn, buf.subarray(0, n));
            }
          } catch {
            // The proxy closed it.
          } finally {
            try {
              conn.close();
            } catch { /* closed */ }
          }
        })());
      }
    } catch {
      // listener closed
    }
    await Promise.all(conns);
  })();
  return Object.assign(listener, { done });
}

Deno.test("socks5 fuzz: malformed sessions close their connection and disturb nobody", async () => {
  const echo = startEcho();
  const echoPort = echo.addr.port;
  const rng = new Prng(SEED + 1);
  await using proxy = startProxy({
    handshakeTimeoutMs: 300,
    connectTimeoutMs: 1_000,
    authenticate: (user, password) => user === "u" && password === "p",
    // Mutated requests name random hosts: only the echo target is reachable.
    allow: (target) => target.host === "127.0.0.1" && target.port === echoPort,
  });
  // A healthy connection that keeps talking while the fuzzing goes on.
  const healthy = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
  await socks5Connect(healthy, socksAddress("127.0.0.1", echoPort), {
    credentials: { username: "u", password: "p" },
  });
  const seeds = [
    concatBytes([
      encodeGreeting([2]),
      encodeUserPass("u", "p"),
      encodeRequest(1, socksAddress("127.0.0.1", echoPort)),
      new TextEncoder().encode("payload"),
    ]),
    concatBytes([encodeGreeting([0, 2]), encodeUserPass("u", "x")]),
    concatBytes([
      encodeGreeting([2]),
      encodeUserPass("u", "p"),
      encodeRequest(1, socksAddress("localhost.invalid", 1)),
    ]),
  ];
  const rounds = 15, perRound = 20;
  let closedByServer = 0;
  for (let round = 0; round < rounds; round++) {
    await Promise.all(Array.from({ length: perRound }, async () => {
      const input = rng.int(6) === 0 ? rng.bytes(rng.int(64)) : mutate(rng, rng.pick(seeds));
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
      try {
        await writeAll(conn, input).catch(() => {});
        // Half the time the fuzzer stays silent after its bytes: the server's limit must act.
        if (rng.int(2) === 0) await conn.closeWrite().catch(() => {});
        const buf = new Uint8Array(4096);
        let stuck = false;
        const deadline = setTimeout(() => {
          stuck = true;
          conn.close();
        }, 5_000);
        try {
          for (;;) {
            const n = await conn.read(buf);
            if (n === null) break;
            // A session that made it through echoes: our half-close then ends it.
            if (n > 0) await conn.closeWrite().catch(() => {});
          }
          if (!stuck) closedByServer++;
        } catch {
          // Reset by the server is a close too; our own deadline is not.
          if (!stuck) closedByServer++;
        } finally {
          clearTimeout(deadline);
        }
      } finally {
        try {
          conn.close();
        } catch { /* closed */ }
      }
    }));
    // The healthy connection still echoes, byte for byte.
    const probe = crypto.getRandomValues(new Uint8Array(1024));
    await writeAll(healthy, probe);
    const back = new Uint8Array(probe.length);
    await readFull(healthy, back);
    assertEquals(back, probe);
  }
  healthy.close();
  assertEquals(
    closedByServer,
    rounds * perRound,
    "every fuzzed connection was closed by the proxy",
  );
  await proxy.finished(rounds * perRound + 1);
  const relayed = proxy.outcomes.filter((o) => o.reply === 0).length;
  assert(relayed > 1 && relayed < proxy.outcomes.length / 2, `${relayed} sessions relayed`);
  for (const outcome of proxy.outcomes) {
    if (outcome.reply === 0) {
      assertEquals(outcome.target?.port, echoPort, "only the allowed target was reached");
    }
  }
  echo.close();
  await echo.done;
});
