// The setup node fed random and mutated gob (Go's own DialRouteGroup request, mutated): every
// connection ends with replies that parse as net/rpc responses (rules, or an error text) or
// with the stream closed; nothing stays running, and a valid request still works afterwards.
import { assert, assertEquals } from "@std/assert";
import { hexToBytes, PubKey } from "../../../mod/cipher/mod.ts";
import { type ByteStream, writeAll } from "../../../mod/conn/mod.ts";
import { GobDecoder, GobError, GobMessageReader, RpcResponseHeader } from "../../../mod/gob/mod.ts";
import { createLogger } from "../../../mod/log/mod.ts";
import { type SetupListener, SetupNode } from "../../../mod/route_setup/mod.ts";
import { routingGob } from "../../../mod/routing/mod.ts";
import { memoryPipe } from "../../_util/memory_pipe.ts";
import { Prng } from "../../_util/prng.ts";
import { vectors2024 } from "../gob/_vectors.ts";
import { createTestRouter, type TestRouter } from "./_harness.ts";
import { goSetup } from "./_routes.ts";

const ITERATIONS = 2_000;

/** A listener we hand streams to. */
class QueueListener implements SetupListener {
  #queue: ByteStream[] = [];
  #waiters: Array<(s: ByteStream | null) => void> = [];
  #closed = false;
  push(stream: ByteStream): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(stream);
    else this.#queue.push(stream);
  }
  accept(): Promise<ByteStream | null> {
    if (this.#queue.length) return Promise.resolve(this.#queue.shift()!);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  close(): void {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w(null);
  }
}

function mutate(prng: Prng, seed: Uint8Array): Uint8Array {
  const out = Array.from(seed);
  for (let i = 0, n = 1 + prng.int(4); i < n; i++) {
    const at = prng.int(out.length);
    const op = prng.int(4);
    if (op === 0) out[at] = prng.int(256);
    else if (op === 1) out.splice(at, 1 + prng.int(6));
    else if (op === 2) out.splice(at, 0, ...prng.bytes(1 + prng.int(6)));
    else out[at] ^= 1 << prng.int(8);
  }
  return Uint8Array.from(out);
}

/** Send `bytes`, half-close, and read every response until the node closes the stream. */
async function exchange(listener: QueueListener, bytes: Uint8Array) {
  const [ours, theirs] = memoryPipe();
  listener.push(theirs);
  await writeAll(ours, bytes).catch(() => {});
  await ours.closeWrite?.().catch(() => {});
  const reader = new GobMessageReader(ours);
  const decoder = new GobDecoder();
  const replies: Array<{ error: string; rules?: routingGob.EdgeRules }> = [];
  try {
    for (;;) {
      const head = await reader.nextValue(decoder);
      if (head === null) break;
      const header = decoder.decodeValue(RpcResponseHeader, head);
      const body = await reader.nextValue(decoder);
      assert(body !== null, "a response header without its body");
      replies.push(
        header.Error
          ? { error: header.Error }
          : { error: "", rules: decoder.decodeValue(routingGob.EdgeRules, body) },
      );
    }
  } catch (error) {
    // Our side may see the stream cut mid-reply only if the node closed it: never a bad reply.
    assert(!(error instanceof GobError && error.code !== "eof"), String(error));
  } finally {
    ours.close();
  }
  return replies;
}

Deno.test("fuzz: mutated DialRouteGroup requests get typed answers; nothing is disturbed", async () => {
  const k = vectors2024.keys;
  const routers = new Map<string, TestRouter>();
  for (const name of ["initiator", "hop", "responder"]) {
    const first = Number(goSetup.hop_visor_captures[name].first_route_id);
    routers.set(k[`${name}_pk`], createTestRouter({ firstRouteId: first }));
  }
  const node = new SetupNode({
    dial: (pk: PubKey) => {
      const router = routers.get(pk.hex());
      if (!router) return Promise.reject(new Error("no such visor"));
      const [a, b] = memoryPipe();
      router.serve(b);
      return Promise.resolve(a);
    },
    idleTimeoutMs: 200,
    hopTimeoutMs: 500,
    logger: createLogger({ level: "fatal" }),
  });
  const listener = new QueueListener();
  node.serve(listener);
  try {
    const seed = hexToBytes(goSetup.visor_capture.client_to_server);
    const prng = new Prng(0x5eed_0036);
    const outcomes = { rules: 0, refused: 0, dropped: 0 };
    for (let i = 0; i < ITERATIONS; i++) {
      const input = i % 8 === 0 ? prng.bytes(prng.int(400)) : mutate(prng, seed);
      const replies = await exchange(listener, input);
      if (replies.length === 0) outcomes.dropped++;
      for (const reply of replies) {
        if (reply.rules) {
          outcomes.rules++;
          assertEquals(reply.rules.Forward.length, 120);
          assertEquals(reply.rules.Reverse.length, 83);
        } else outcomes.refused++;
      }
    }
    // The mutations reached the decoder's refusals, the checks' refusals and valid routes.
    assert(
      outcomes.dropped > 0 && outcomes.refused > 0 && outcomes.rules > 0,
      JSON.stringify(outcomes),
    );
    const stats = node.stats();
    assertEquals([stats.slots, stats.running, stats.connections, stats.timers], [0, 0, 0, 0]);
    // Still serving: Go's request, unmodified, gets Go's rules.
    const [reply] = await exchange(listener, seed);
    assertEquals(reply.error, "");
    assertEquals(
      PubKey.fromBytes(reply.rules!.Desc.subarray(0, 33)).hex(),
      goSetup.responder_pk,
    );
    console.log(JSON.stringify({ fuzz: "setup node", iterations: ITERATIONS, ...outcomes }));
  } finally {
    await node.close();
    await Promise.all([...routers.values()].map((r) => r.close()));
  }
});
