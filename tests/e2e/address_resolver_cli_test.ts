import { assert, assertEquals, assertMatch } from "@std/assert";
import { generateKeyPair } from "../../mod/cipher/mod.ts";
import { HttpAuthClient } from "../../mod/httpauth/mod.ts";
import { tempDir } from "../_util/temp_dir.ts";
import { skywire, SkywireProcess } from "./_skywire.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Start `skywire svc ar`; resolves with the URL it prints first. */
async function startCli(args: string[]) {
  const child = new SkywireProcess(["svc", "ar", ...args]);
  const url = (await child.line(/^http/)).trim();
  return { url, finish: (signal: Deno.Signal) => child.stop(signal) };
}

Deno.test("skywire svc ar binds and resolves, keeps bindings across restarts, stops on signals", async () => {
  await using dir = await tempDir();
  const a = generateKeyPair();
  const b = generateKeyPair();
  const first = await startCli(["-a", "127.0.0.1:0", "-t", "--data", dir.path]);
  assertMatch(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const client = new HttpAuthClient({ baseUrl: first.url, ...a });
  const bind = await client.request(
    "POST",
    "/bind/stcpr",
    enc.encode('{"port":"30000","addresses":["127.0.0.1"]}\n'),
  );
  assertEquals(bind.status, 200);
  const stopped = await first.finish("SIGTERM");
  assertEquals(stopped.code, 0, stopped.stderr);
  assertMatch(stopped.stderr, /address resolver stopped/);

  const second = await startCli(["--addr", "127.0.0.1:0", "-t", "--data", dir.path]);
  const resolver = new HttpAuthClient({ baseUrl: second.url, ...b });
  const resolved = await resolver.request("GET", `/resolve/stcpr/${a.pk.hex()}`);
  assertEquals(
    dec.decode(resolved.body),
    '{"remote_addr":"127.0.0.1","is_local":true,"port":"30000","addresses":["127.0.0.1"]}',
  );
  const interrupted = await second.finish("SIGINT");
  assertEquals(interrupted.code, 0, interrupted.stderr);
  assert(!interrupted.stderr.includes("ERROR"), interrupted.stderr);
});

Deno.test("skywire svc ar refuses bad flags with exit 2 and one line", async () => {
  await using dir = await tempDir();
  for (
    const args of [["-a", "nonsense"], ["--log-level", "loud"], ["--entry-timeout", "soon"]]
  ) {
    const out = await skywire(["svc", "ar", "--data", dir.path, ...args]);
    assertEquals(out.code, 2, args.join(" "));
    assertEquals(out.stderr.trim().split("\n").length, 1);
  }
});
