// Seeded fuzzing of everything that reads gob from the network: only GobError (decoder) or
// RpcError (client calls) may come out, every run ends, and nothing is sized by the input.
import { assert } from "@std/assert";
import { hexToBytes } from "../../../mod/cipher/mod.ts";
import type { ByteStream } from "../../../mod/conn/mod.ts";
import {
  decodeGob,
  go,
  GobDecoder,
  GobError,
  type GobType,
  RpcClient,
  RpcError,
  rpcMethod,
  RpcRequestHeader,
  RpcResponseHeader,
  RpcServer,
} from "../../../mod/gob/mod.ts";
import * as T from "./_types.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { vectors2023, vectors2024 } from "./_vectors.ts";
import { mulberry32 as prng } from "../../_util/prng.ts";

const ITERATIONS = 100_000;

// mulberry32: small, fast, seeded.

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0x81, 0xf8, 0xf9, 0xfe, 0xff];

function mutate(input: Uint8Array, pool: Uint8Array[], rnd: () => number): Uint8Array {
  let b = Array.from(input);
  const int = (n: number) => Math.floor(rnd() * n);
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    const at = int(b.length + 1);
    switch (int(8)) {
      case 0: // flip a bit
        if (b.length) b[at % b.length] ^= 1 << int(8);
        break;
      case 1: // an interesting byte
        if (b.length) b[at % b.length] = INTERESTING[int(INTERESTING.length)];
        break;
      case 2: // a random byte
        if (b.length) b[at % b.length] = int(256);
        break;
      case 3: // insert bytes
        b.splice(at, 0, ...Array.from({ length: 1 + int(8) }, () => int(256)));
        break;
      case 4: // delete a range
        b.splice(at, 1 + int(16));
        break;
      case 5: // truncate
        b = b.slice(0, at);
        break;
      case 6: { // duplicate a range
        const len = 1 + int(32);
        b.splice(at, 0, ...b.slice(at, at + len));
        break;
      }
      case 7: { // splice in a piece of another input
        const other = pool[int(pool.length)];
        const from = int(other.length);
        b.splice(at, int(8), ...other.subarray(from, from + 1 + int(40)));
        break;
      }
    }
  }
  return Uint8Array.from(b);
}

// Every gob value in the vector files with its description.
const seeds: [GobType<unknown>, Uint8Array][] = [];
const gobTypes: Record<string, GobType<unknown>> = {
  stream_request: T.StreamRequest,
  stream_response_accepted: T.StreamResponse,
  stream_response_rejected: T.StreamResponse,
  signed_stream_request: T.StreamRequest,
  signed_stream_request_kk: T.StreamRequest,
  signed_stream_response_accepted: T.StreamResponse,
  signed_stream_response_rejected: T.StreamResponse,
  signed_stream_response_kk: T.StreamResponse,
  bidirectional_route: T.BidirectionalRoute,
  hop: T.Hop,
  edge_rules: T.EdgeRules,
  rule_intermediary: T.Rule,
  rule_forward: T.Rule,
  rules: T.Rules,
  route_ids: T.RouteIDs,
  uint8: go.uint8,
  bool_true: go.bool,
  bool_false: go.bool,
};
for (const [name, type] of Object.entries(gobTypes)) {
  const bytes = hexToBytes(vectors2024.gob[name].bytes);
  seeds.push([type, name.startsWith("signed") ? bytes.subarray(65) : bytes]);
}
seeds.push([T.StreamRequest, hexToBytes(vectors2023.gob_stream_request.bytes)]);
seeds.push([T.StreamResponse, hexToBytes(vectors2023.gob_stream_response.bytes)]);
const allTypes = [
  ...new Set([...Object.values(gobTypes), T.StreamRequestV2026, T.StreamResponseV2026]),
];

// The net/rpc streams of the captures, each direction whole.
const setup = vectors2024.rpc.route_setup;
const captures = [
  vectors2024.rpc.gateway.capture,
  setup.visor_capture,
  ...Object.values(setup.hop_visor_captures).map((c) => {
    const h = c as Record<string, string>;
    return { client_to_server: h.setup_node_to_visor, server_to_client: h.visor_to_setup_node };
  }),
];
const requestStreams = captures.map((c) => hexToBytes(c.client_to_server));
const responseStreams = captures.map((c) => hexToBytes(c.server_to_client));

function onlyGobErrors(run: () => void): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof GobError)) throw e;
  }
}

Deno.test("fuzz: decodeGob on mutations of every Go vector throws only GobError", () => {
  const rnd = prng(0x5eed1);
  const pool = seeds.map(([, b]) => b);
  let decoded = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const [type, seed] = seeds[i % seeds.length];
    const input = mutate(seed, pool, rnd);
    // Mostly its own type, sometimes another (mismatch and skipping paths).
    const as = rnd() < 0.75 ? type : allTypes[Math.floor(rnd() * allTypes.length)];
    onlyGobErrors(() => {
      decodeGob(as, input);
      decoded++;
    });
  }
  // The mutations must leave some inputs valid, or this would test only the first byte.
  assert(decoded > ITERATIONS / 50, `only ${decoded} mutated inputs decoded`);
});

Deno.test("fuzz: decodeGob on random bytes throws only GobError", () => {
  const rnd = prng(0x5eed2);
  for (let i = 0; i < ITERATIONS; i++) {
    const input = Uint8Array.from({ length: Math.floor(rnd() * 256) }, () => rnd() * 256);
    // Half of them start with a plausible length prefix so that decoding goes further.
    if (input.length > 1 && rnd() < 0.5) input[0] = input.length - 1 > 127 ? 127 : input.length - 1;
    onlyGobErrors(() => decodeGob(allTypes[i % allTypes.length], input));
  }
});

Deno.test("fuzz: a stream decoder over mutated net/rpc streams throws only GobError", () => {
  const rnd = prng(0x5eed3);
  const streams = [...requestStreams, ...responseStreams];
  const bodyTypes: GobType<unknown>[] = [
    go.uint8,
    T.RouteIDs,
    T.Rules,
    go.bool,
    T.EdgeRules,
    T.BidirectionalRoute,
  ];
  for (let i = 0; i < ITERATIONS / 4; i++) {
    const input = mutate(streams[i % streams.length], streams, rnd);
    const header = i % streams.length < requestStreams.length
      ? RpcRequestHeader
      : RpcResponseHeader;
    const decoder = new GobDecoder();
    onlyGobErrors(() => {
      let pos = 0;
      for (let v = 0; pos < input.length; v++) {
        const type = v % 2 === 0 ? header : bodyTypes[Math.floor(rnd() * bodyTypes.length)];
        try {
          pos += decoder.decodeFrom(type, input.subarray(pos)).bytesRead;
        } catch (e) {
          // A body of another type than guessed is fine; anything else ends this input.
          if (!(e instanceof GobError) || e.code !== "type_mismatch") throw e;
          return;
        }
      }
    });
  }
});

// A byte stream over fixed input, read in random chunk sizes; writes are counted and dropped.
class ScriptedStream implements ByteStream {
  #pos = 0;
  #closed = false;
  written = 0;
  constructor(readonly input: Uint8Array, readonly rnd: () => number) {}
  read(p: Uint8Array): Promise<number | null> {
    if (this.#closed) return Promise.reject(new Error("stream closed"));
    if (this.#pos >= this.input.length) return Promise.resolve(null);
    const n = Math.min(p.length, this.input.length - this.#pos, 1 + Math.floor(this.rnd() * 64));
    p.set(this.input.subarray(this.#pos, this.#pos + n));
    this.#pos += n;
    return Promise.resolve(n);
  }
  write(p: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Error("stream closed"));
    this.written += p.length;
    return Promise.resolve(p.length);
  }
  close(): void {
    this.#closed = true;
  }
  get closed(): boolean {
    return this.#closed;
  }
}

Deno.test("fuzz: the rpc server's request reader survives mutated and random request streams", async () => {
  const rnd = prng(0x5eed4);
  const server = new RpcServer({ logger: captureLogger("error") });
  server.register("RPCGateway", {
    ReserveIDs: rpcMethod(go.uint8, T.RouteIDs, (n) => Array.from({ length: n }, (_, i) => i)),
    AddIntermediaryRules: rpcMethod(T.Rules, go.bool, (rules) => rules.length > 0),
    AddEdgeRules: rpcMethod(T.EdgeRules, go.bool, () => true),
  });
  server.register("SetupRPCGateway", {
    DialRouteGroup: rpcMethod(T.BidirectionalRoute, T.EdgeRules, (route) => ({
      Desc: route.Desc,
      Forward: new Uint8Array(1),
      Reverse: new Uint8Array(2),
    })),
  });
  let answered = 0;
  // A quarter as many as the decoder gets, like the other stream readers: each input is a
  // whole served connection, and the gob inside it is the decoder's, fuzzed above.
  const streams = ITERATIONS / 4;
  for (let i = 0; i < streams; i++) {
    const input = rnd() < 0.9
      ? mutate(requestStreams[i % requestStreams.length], requestStreams, rnd)
      : Uint8Array.from({ length: Math.floor(rnd() * 200) }, () => rnd() * 256);
    const stream = new ScriptedStream(input, rnd);
    await server.serve(stream); // never rejects, always ends
    assert(stream.closed);
    if (stream.written > 0) answered++;
  }
  assert(answered > streams / 20, `only ${answered} streams got a reply`);
  await server.close();
});

Deno.test("fuzz: the rpc client's response reader fails calls only with RpcError", async () => {
  const rnd = prng(0x5eed5);
  const replyTypes: GobType<unknown>[] = [T.RouteIDs, go.bool, T.EdgeRules, go.uint8];
  let resolved = 0;
  for (let i = 0; i < ITERATIONS / 4; i++) {
    const input = mutate(responseStreams[i % responseStreams.length], responseStreams, rnd);
    const client = new RpcClient(new ScriptedStream(input, rnd));
    const calls = replyTypes.map((replyType) =>
      client.call("RPCGateway.ReserveIDs", { args: 1, argsType: go.uint8, replyType })
    );
    const results = await Promise.allSettled(calls);
    for (const r of results) {
      if (r.status === "fulfilled") resolved++;
      else if (!(r.reason instanceof RpcError)) throw r.reason;
    }
    await client.close();
  }
  // Intact replies for seq 0..3 must still come through between the broken ones.
  assert(resolved > ITERATIONS / 20, `only ${resolved} calls got a reply`);
});
