/**
 * gob codec and net/rpc costs: encode/decode of a dmsg StreamRequest (fresh encoder, as dmsg
 * signs it) and of a 2-hop BidirectionalRoute, each against JSON.stringify/parse of the same
 * data in the same run; then net/rpc calls over loopback TCP (sequential and 32 in flight)
 * against a raw TCP ping-pong of the same byte counts.
 *
 * Run: `deno run -A tests/bench/gob_bench.ts`
 *
 * @module
 */
import { PubKey, SecKey } from "../../mod/cipher/mod.ts";
import { readFull, writeAll } from "../../mod/conn/mod.ts";
import { decodeGob, encodeGob, go, RpcClient, rpcMethod, RpcServer } from "../../mod/gob/mod.ts";
import * as T from "../mod/gob/_types.ts";
import { tcpPair } from "../_util/tcp_pair.ts";

const MIN_MS = 500;

/** Runs `fn` for at least MIN_MS; returns operations per second. */
function rate(fn: () => void): number {
  for (let i = 0; i < 200; i++) fn(); // warm up
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MIN_MS) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    elapsed = performance.now() - start;
  }
  return n / (elapsed / 1000);
}

async function rateAsync(fn: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 50; i++) await fn();
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MIN_MS) {
    await fn();
    n++;
    elapsed = performance.now() - start;
  }
  return n / (elapsed / 1000);
}

function line(name: string, ours: number, baseline: number, baselineName: string) {
  console.log(
    `  ${name.padEnd(34)} ${ours.toFixed(0).padStart(8)} /s   ${baselineName} ${
      baseline.toFixed(0).padStart(8)
    } /s   ratio ${(ours / baseline).toFixed(2)}x`,
  );
}

function codecs(): void {
  const pk = (i: number) => SecKey.fromBytes(new Uint8Array(32).fill(i)).pubKey();
  const request: T.StreamRequest = {
    Timestamp: 1795235666558283721n,
    SrcAddr: { PK: pk(1), Port: 49153 },
    DstAddr: { PK: pk(2), Port: 80 },
    NoiseMsg: new Uint8Array(49).fill(7),
  };
  const hop = (i: number) => ({
    TpID: `0000000${i}-1e89-0590-96b2-e2f849dfba3c`,
    From: pk(i),
    To: pk(i + 1),
  });
  const route: T.BidirectionalRoute = {
    Desc: new Uint8Array(70).fill(3),
    KeepAlive: 30_000_000_000n,
    Forward: [hop(1), hop(2)],
    Reverse: [hop(3), hop(4)],
  };
  // The JSON baseline carries the same information in JSON's natural form.
  const toJson = (v: unknown): unknown =>
    JSON.parse(
      JSON.stringify(v, (_k, x) =>
        x instanceof PubKey
          ? x.hex()
          : x instanceof Uint8Array
          ? Array.from(x)
          : typeof x === "bigint"
          ? String(x)
          : x),
    );
  console.log("gob codec (fresh encoder, type definitions included) vs JSON of the same data");
  const key = pk(1);
  // Decoding checks every key is on the curve, as Go's UnmarshalBinary does: show its share.
  console.log(
    `  (PubKey.fromBytes alone: ${rate(() => PubKey.fromBytes(key.view)).toFixed(0)} /s)`,
  );
  for (
    const [name, type, value] of [
      ["StreamRequest", T.StreamRequest, request],
      ["BidirectionalRoute (2+2 hops)", T.BidirectionalRoute, route],
    ] as const
  ) {
    const bytes = encodeGob(type as never, value as never);
    const json = toJson(value);
    const text = JSON.stringify(json);
    line(
      `encode ${name} (${bytes.length} B)`,
      rate(() => {
        encodeGob(type as never, value as never);
      }),
      rate(() => {
        JSON.stringify(json);
      }),
      "JSON.stringify",
    );
    line(
      `decode ${name}`,
      rate(() => {
        decodeGob(type as never, bytes);
      }),
      rate(() => {
        JSON.parse(text);
      }),
      "JSON.parse    ",
    );
  }
}

async function rpc(): Promise<void> {
  const server = new RpcServer();
  server.register("RPCGateway", {
    ReserveIDs: rpcMethod(go.uint8, T.RouteIDs, (n) => Array.from({ length: n }, (_, i) => i)),
  });
  const [a, b] = await tcpPair();
  const serving = server.serve(b);
  const client = new RpcClient(a);
  const call = () =>
    client.call("RPCGateway.ReserveIDs", { args: 2, argsType: go.uint8, replyType: T.RouteIDs });
  await call(); // type definitions go out once
  const sequential = await rateAsync(async () => {
    await call();
  });
  const concurrent = 32 * await rateAsync(async () => {
    await Promise.all(Array.from({ length: 32 }, call));
  });
  await client.close();
  await serving;

  // Raw TCP ping-pong with the sizes of one steady-state request (39 B) and reply (34 B).
  const [x, y] = await tcpPair();
  const request = new Uint8Array(39), reply = new Uint8Array(34);
  const echo = (async () => {
    const buf = new Uint8Array(39);
    try {
      for (;;) {
        await readFull(y, buf);
        await writeAll(y, reply);
      }
    } catch {
      // closed
    }
  })();
  const got = new Uint8Array(34);
  const raw = await rateAsync(async () => {
    await writeAll(x, request);
    await readFull(x, got);
  });
  x.close();
  await echo;
  y.close();
  console.log("net/rpc over loopback TCP: RPCGateway.ReserveIDs(2)");
  line("sequential calls", sequential, raw, "raw ping-pong ");
  line("32 calls in flight", concurrent, raw, "raw ping-pong ");
}

/** Print codec and RPC rates with their same-run baselines. */
export async function main(): Promise<void> {
  codecs();
  await rpc();
}

if (import.meta.main) await main();
