import { assert, assertEquals } from "@std/assert";
import { PubKey, SecKey, sha256 } from "../../../mod/cipher/mod.ts";
import {
  checkStreamResponse,
  DmsgError,
  signStreamRequest,
  signStreamResponse,
  type VerifiedStreamRequest,
  verifyStreamRequest,
} from "../../../mod/dmsg/mod.ts";
import { mutate, Prng } from "./_fuzz.ts";

const vectors = JSON.parse(
  await Deno.readTextFile(new URL("../../testdata/go-dmsg-2023-vectors.json", import.meta.url)),
);
const srcSk = SecKey.fromHex(vectors.keys.initiator_sk);
const src = PubKey.fromHex(vectors.keys.initiator_pk);
const dstSk = SecKey.fromHex(vectors.keys.responder_sk);
const dst = PubKey.fromHex(vectors.keys.responder_pk);

const INPUTS = 50_000;

function requestSeeds(): Uint8Array[] {
  const base = {
    Timestamp: 1_700_000_000_000_000_000n,
    SrcAddr: { PK: src, Port: 49153 },
    DstAddr: { PK: dst, Port: 80 },
    NoiseMsg: new Uint8Array(49).fill(7),
  };
  return [
    signStreamRequest(base, srcSk),
    signStreamRequest({ ...base, NoiseMsg: new Uint8Array(0) }, srcSk),
    signStreamRequest({ ...base, SrcAddr: { PK: PubKey.NULL, Port: 0 } }, srcSk),
    signStreamRequest({ ...base, Timestamp: -1n, DstAddr: { PK: dst, Port: 65535 } }, srcSk),
  ];
}

// Only DmsgError may come out of the verifiers, whatever the input.
function expectTyped(fn: () => unknown, counts: Map<number, number>): void {
  try {
    fn();
    counts.set(0, (counts.get(0) ?? 0) + 1);
  } catch (error) {
    if (!(error instanceof DmsgError)) throw error;
    counts.set(error.code, (counts.get(error.code) ?? 0) + 1);
  }
}

Deno.test("stream request and response verifiers throw only DmsgError on 50,000 random and mutated objects", () => {
  const rng = new Prng(0x5eed_d35c);
  const requests = requestSeeds();
  const request: VerifiedStreamRequest = verifyStreamRequest(requests[0]);
  const responses = [
    signStreamResponse({
      ReqHash: sha256(request.signed),
      Accepted: true,
      ErrCode: 0,
      NoiseMsg: new Uint8Array(49).fill(3),
    }, dstSk),
    signStreamResponse({
      ReqHash: sha256(request.signed),
      Accepted: false,
      ErrCode: 306,
      NoiseMsg: new Uint8Array(0),
    }, dstSk),
  ];
  const counts = new Map<number, number>();
  for (let i = 0; i < INPUTS; i++) {
    const kind = rng.int(10);
    let input: Uint8Array;
    if (kind < 3) input = rng.bytes(rng.int(rng.next() < 0.5 ? 80 : 400));
    else if (kind < 8) input = mutate(rng, rng.pick(requests), 65);
    else input = mutate(rng, rng.pick(responses), 65);
    if (kind < 8) expectTyped(() => verifyStreamRequest(input), counts);
    else expectTyped(() => checkStreamResponse(input, request), counts);
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  assertEquals(total, INPUTS);
  // The corpus reaches the decoder's, the field checks' and the signature's refusals.
  for (const code of [370, 300, 350, 351]) assert((counts.get(code) ?? 0) > 0, `code ${code}`);
});
