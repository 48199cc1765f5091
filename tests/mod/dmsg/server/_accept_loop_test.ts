import { assert, assertEquals } from "@std/assert";
import { generateKeyPair, PubKey } from "../../../../mod/cipher/mod.ts";
import { dialSession, DiscoveryClient, type DmsgSession } from "../../../../mod/dmsg/mod.ts";
import { testNetwork, waitFor } from "../_harness.ts";

const CHILD = new URL("./_fd_limited_server.ts", import.meta.url).pathname;
// Room for the runtime's own descriptors plus a few dozen sessions.
const FD_LIMIT = 80;
const hasPrlimit = await new Deno.Command("prlimit", { args: ["--version"] }).output().then(
  (out) => out.success,
  () => false,
);

async function openFds(pid: number): Promise<number> {
  let n = 0;
  for await (const _ of Deno.readDir(`/proc/${pid}/fd`)) n++;
  return n;
}

Deno.test({
  name: "server: out of file descriptors it backs off, offers no sessions, and recovers",
  ignore: !hasPrlimit || Deno.build.os !== "linux",
  async fn() {
    await using net = await testNetwork();
    const child = new Deno.Command("prlimit", {
      args: [`--nofile=${FD_LIMIT}`, Deno.execPath(), "run", "-A", CHILD, net.url],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const logText = new Response(child.stderr).text();
    const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const sessions: DmsgSession[] = [];
    try {
      const line = await readLine(stdout);
      const { pk, address } = JSON.parse(line) as { pk: string; address: string };
      const serverPk = PubKey.fromHex(pk);
      const disc = new DiscoveryClient({ url: net.url });
      const available = async () =>
        Number((await disc.getEntry(serverPk)).server?.availableSessions ?? -1);
      const dial = () =>
        dialSession({ address, serverPk, keyPair: generateKeyPair(), handshakeTimeoutMs: 2_000 });
      // Take every descriptor the server has left with sessions, until one is not accepted.
      let refused = false;
      while (!refused) {
        assert(sessions.length < FD_LIMIT, "the fd limit was never reached");
        try {
          sessions.push(await dial());
        } catch {
          refused = true;
        }
      }
      assert((await openFds(child.pid)) >= FD_LIMIT, "refused before the fd limit");
      // A connection waits in the backlog: the server keeps trying to take it.
      const [hostname, port] = address.split(":");
      const waiting = await Deno.connect({ hostname, port: Number(port) });
      await waitFor("entry offers no sessions", async () => (await available()) === 0);
      // Free some descriptors: the server accepts again and offers sessions again.
      for (const session of sessions.splice(0, 5)) await session.close();
      waiting.close();
      await waitFor("entry offers sessions again", async () => (await available()) > 0);
      sessions.push(await dial());
    } finally {
      for (const session of sessions) await session.close();
      child.kill("SIGTERM");
    }
    await stdout.cancel();
    const status = await child.status;
    assertEquals(status.code, 0);
    const log = await logText;
    assert(log.includes("accept failed"), log);
    assert(log.includes("Too many open files"), log);
    assert(log.includes("accepting again"), log);
  },
});

async function readLine(reader: ReadableStreamDefaultReader<string>): Promise<string> {
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`child ended before its first line: ${text}`);
    text += value;
    const newline = text.indexOf("\n");
    if (newline >= 0) return text.slice(0, newline);
  }
}
