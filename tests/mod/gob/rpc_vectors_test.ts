// Replays the Go net/rpc captures of the 2024 vector file against our client and our server
// over real TCP: every request and response must be the bytes Go wrote.
import { assertEquals } from "@std/assert";
import { bytesToHex, hexToBytes } from "../../../mod/cipher/mod.ts";
import { writeAll } from "../../../mod/conn/mod.ts";
import {
  go,
  GobDecoder,
  GobMessageReader,
  type GobType,
  GobTypeRegistry,
  RpcClient,
  RpcError,
  rpcMethod,
  RpcRequestHeader,
  RpcResponseHeader,
  RpcServer,
} from "../../../mod/gob/mod.ts";
import type { PendingValue } from "../../../mod/gob/decoder.ts";
import * as T from "./_types.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { tcpPair } from "../../_util/tcp_pair.ts";
import { plain, vectors2024 } from "./_vectors.ts";

// Argument and reply types of every method the captures call.
const METHODS: Record<string, [GobType<unknown>, GobType<unknown>]> = {
  "RPCGateway.ReserveIDs": [go.uint8, T.RouteIDs],
  "RPCGateway.AddIntermediaryRules": [T.Rules, go.bool],
  "RPCGateway.AddEdgeRules": [T.EdgeRules, go.bool],
  "SetupRPCGateway.DialRouteGroup": [T.BidirectionalRoute, T.EdgeRules],
  "RPCGateway.NoSuchMethod": [go.uint8, go.bool],
  "NoSuchService.ReserveIDs": [go.uint8, T.RouteIDs],
};

interface Message {
  request_bytes: string;
  response_bytes: string;
}

interface Exchange {
  method: string;
  args: unknown;
  reply?: unknown;
  error?: string;
  request: Uint8Array;
  response: Uint8Array;
}

// The values of a run of gob messages, taken in order by one stream decoder.
function* values(decoder: GobDecoder, bytes: Uint8Array): Generator<PendingValue> {
  let pos = 0;
  while (pos < bytes.length) {
    const { bytesRead, pending } = nextMessage(decoder, bytes.subarray(pos));
    pos += bytesRead;
    if (pending) yield pending;
  }
}

function nextMessage(decoder: GobDecoder, bytes: Uint8Array) {
  let len = bytes[0], start = 1;
  if (len >= 0x80) {
    const n = 256 - len;
    len = 0;
    for (let i = 1; i <= n; i++) len = len * 256 + bytes[i];
    start = n + 1;
  }
  const pending = decoder.acceptMessage(bytes.subarray(start, start + len));
  return { bytesRead: start + len, pending };
}

// One call's worth of bytes from a live stream (definitions, header, body) re-framed as sent:
// reading by messages rather than by Go's byte count cannot hang when the lengths differ.
async function readCallBytes(reader: GobMessageReader, decoder: GobDecoder): Promise<string> {
  let hex = "", valuesSeen = 0;
  while (valuesSeen < 2) {
    const body = await reader.next();
    if (body === null) return hex + "<EOF>";
    const prefix = body.length < 0x80
      ? [body.length]
      : [0xfe, body.length >> 8, body.length & 0xff];
    hex += bytesToHex(Uint8Array.from([...prefix, ...body]));
    if (decoder.acceptMessage(body)) valuesSeen++;
  }
  return hex;
}

// Decode a capture with our decoder: what each call sent and got, in Go's bytes.
function exchanges(messages: Message[]): Exchange[] {
  const requests = new GobDecoder(), responses = new GobDecoder();
  return messages.map((m) => {
    const request = hexToBytes(m.request_bytes), response = hexToBytes(m.response_bytes);
    const [reqHead, reqBody] = [...values(requests, request)];
    const head = requests.decodeValue(RpcRequestHeader, reqHead);
    const [argsType, replyType] = METHODS[head.ServiceMethod];
    const args = requests.decodeValue(argsType, reqBody);
    const [respHead, respBody] = [...values(responses, response)];
    const resp = responses.decodeValue(RpcResponseHeader, respHead);
    assertEquals([resp.ServiceMethod, resp.Seq], [head.ServiceMethod, head.Seq]);
    const exchange: Exchange = { method: head.ServiceMethod, args, request, response };
    if (resp.Error !== "") exchange.error = resp.Error;
    else exchange.reply = responses.decodeValue(replyType, respBody);
    return exchange;
  });
}

// Our server answers Go's requests one at a time; its bytes must equal Go's server's.
async function replayAgainstServer(calls: Exchange[], registry: GobTypeRegistry) {
  let next = 0;
  const server = new RpcServer({ registry, logger: captureLogger() });
  const services = new Map<string, Record<string, ReturnType<typeof rpcMethod>>>();
  for (const name of Object.keys(METHODS)) {
    const [service, method] = name.split(".");
    if (service === "NoSuchService" || method === "NoSuchMethod") continue;
    const [argsType, replyType] = METHODS[name];
    const methods = services.get(service) ?? {};
    methods[method] = rpcMethod(argsType, replyType, (args) => {
      const call = calls[next];
      assertEquals(plain(args), plain(call.args));
      if (call.error) throw new Error(call.error);
      return call.reply;
    });
    services.set(service, methods);
  }
  for (const [service, methods] of services) server.register(service, methods);

  const [client, accepted] = await tcpPair();
  const serving = server.serve(accepted);
  const reader = new GobMessageReader(client), decoder = new GobDecoder();
  try {
    for (; next < calls.length; next++) {
      await writeAll(client, calls[next].request);
      const got = await readCallBytes(reader, decoder);
      assertEquals(got, bytesToHex(calls[next].response), `call ${next}`);
    }
  } finally {
    client.close();
    await serving;
  }
}

// Our client makes the same calls against a peer that checks each request and plays back
// Go's response.
async function replayAgainstClient(calls: Exchange[], registry: GobTypeRegistry) {
  const [dialed, peer] = await tcpPair();
  const client = new RpcClient(dialed, { registry });
  const reader = new GobMessageReader(peer), decoder = new GobDecoder();
  let mismatch: unknown;
  const playback = (async () => {
    for (const call of calls) {
      const got = await readCallBytes(reader, decoder);
      assertEquals(got, bytesToHex(call.request), call.method);
      await writeAll(peer, call.response);
    }
  })().catch((e) => {
    mismatch = e;
    peer.close(); // the client's pending call then fails and the loop below ends
  });
  try {
    for (const call of calls) {
      const [argsType, replyType] = METHODS[call.method];
      try {
        const reply = await client.call(call.method, { args: call.args, argsType, replyType });
        assertEquals(plain(reply), plain(call.reply));
      } catch (e) {
        if (mismatch !== undefined) break;
        if (!(e instanceof RpcError)) throw e;
        assertEquals([e.code, e.message], ["server", call.error]);
      }
    }
  } finally {
    await client.close();
    await playback;
    if (mismatch === undefined) peer.close();
  }
  if (mismatch !== undefined) throw mismatch;
}

const gateway = exchanges(vectors2024.rpc.gateway.capture.calls);
const setup = vectors2024.rpc.route_setup;
const visor = exchanges(setup.visor_capture.calls);
const hops = Object.entries(setup.hop_visor_captures).map((
  [name, capture],
) => [name, exchanges((capture as { messages: Message[] }).messages)] as const);

// The setup node is one Go process: as a client of the hops it defined Request (64),
// []Rule (65) and EdgeRules (66, with RouteDescriptor 67) before it answered the visor.
function setupNodeRegistry(): GobTypeRegistry {
  const registry = new GobTypeRegistry({ firstTypeId: 64 });
  for (const type of [RpcRequestHeader, T.Rules, T.EdgeRules]) registry.idOf(type);
  return registry;
}
const fresh = () => new GobTypeRegistry({ firstTypeId: 64 });

Deno.test("the gateway capture's calls, replies and errors are what the vector file says", () => {
  const json = vectors2024.rpc.gateway.capture.calls;
  assertEquals(
    gateway.map((c) => c.method),
    json.map((c: Message & Record<string, string>) => c.service_method),
  );
  assertEquals(
    gateway.map((c) => c.error ?? null),
    json.map((c: Record<string, string>) => c.client_error ?? null),
  );
  assertEquals(plain(gateway[0].reply), [1, 2, 3]);
  assertEquals(gateway[5].error, "rpc: can't find method RPCGateway.NoSuchMethod");
  assertEquals(gateway[6].error, "rpc: can't find service NoSuchService.ReserveIDs");
});

Deno.test("RpcServer answers the Go gateway capture byte for byte", async () => {
  await replayAgainstServer(gateway, fresh());
});

Deno.test("RpcClient sends the Go gateway capture's requests byte for byte", async () => {
  await replayAgainstClient(gateway, fresh());
});

Deno.test("route setup: the visor's DialRouteGroup call, both sides, byte for byte", async () => {
  await replayAgainstServer(visor, setupNodeRegistry());
  await replayAgainstClient(visor, fresh());
});

for (const [name, calls] of hops) {
  Deno.test(`route setup: the setup node's calls to the ${name} visor, byte for byte`, async () => {
    await replayAgainstServer(calls, fresh());
    await replayAgainstClient(calls, setupNodeRegistry());
  });
}

Deno.test("route setup: the initiator gets its edge rules with the reversed descriptor", () => {
  const reply = visor[0].reply as T.EdgeRules;
  const route = visor[0].args as T.BidirectionalRoute;
  // srcPK‖dstPK swapped, ports swapped.
  const desc = route.Desc;
  const reversed = Uint8Array.from([
    ...desc.subarray(33, 66),
    ...desc.subarray(0, 33),
    ...desc.subarray(68, 70),
    ...desc.subarray(66, 68),
  ]);
  assertEquals(bytesToHex(reply.Desc), bytesToHex(reversed));
});
