import { assert, assertEquals, assertThrows } from "@std/assert";
import { generateKeyPair, hexToBytes, PubKey, SecKey, sha256 } from "../../../mod/cipher/mod.ts";
import {
  checkStreamResponse,
  DmsgError,
  signStreamRequest,
  signStreamResponse,
  verifyStreamRequest,
  verifyStreamResponse,
} from "../../../mod/dmsg/mod.ts";
import { decodeGob } from "../../../mod/gob/mod.ts";
import { type StreamRequest, StreamResponse } from "../../../mod/dmsg/gob_types.ts";

const vectors = JSON.parse(
  await Deno.readTextFile(new URL("../../testdata/go-dmsg-2023-vectors.json", import.meta.url)),
);

function request(src = generateKeyPair(), dst = generateKeyPair()): StreamRequest {
  return {
    Timestamp: 1_700_000_000_000_000_000n,
    SrcAddr: { PK: src.pk, Port: 49153 },
    DstAddr: { PK: dst.pk, Port: 80 },
    NoiseMsg: new Uint8Array([1, 2, 3]),
  };
}

function code(fn: () => unknown): number {
  return assertThrows(fn, DmsgError).code;
}

Deno.test("verifyStreamRequest accepts Go's signed stream request", () => {
  const signed = hexToBytes(vectors.signed_stream_request.bytes);
  const { request: req } = verifyStreamRequest(signed);
  assertEquals(req.SrcAddr.PK.hex(), vectors.keys.initiator_pk);
  assertEquals(req.DstAddr.PK.hex(), vectors.keys.responder_pk);
  assertEquals(req.DstAddr.Port, 80);
  assertEquals(req.NoiseMsg, new Uint8Array([1, 2, 3, 4]));
  // Our encoder writes the same gob bytes for the same request.
  const ours = signStreamRequest(req, SecKey.fromHex(vectors.keys.initiator_sk));
  assertEquals(ours.subarray(65), signed.subarray(65));
});

Deno.test("stream responses decode from Go's gob bytes and verify", () => {
  const go = vectors.gob_stream_response;
  const gob = hexToBytes(go.bytes);
  const value = {
    ReqHash: hexToBytes(go.req_hash),
    Accepted: go.accepted,
    ErrCode: go.err_code,
    NoiseMsg: hexToBytes(go.noise_msg),
  };
  const sk = SecKey.fromHex(vectors.keys.responder_sk);
  // Gob type ids are per process (Go's had other types registered first): equal values, and
  // equal lengths, but not equal bytes.
  assertEquals(decodeGob(StreamResponse, gob), value);
  assertEquals(signStreamResponse(value, sk).length - 65, gob.length);
  const req = verifyStreamRequest(hexToBytes(vectors.signed_stream_request.bytes));
  const answer = signStreamResponse({ ...value, ReqHash: sha256(req.signed) }, sk);
  assertEquals(verifyStreamResponse(answer, req).NoiseMsg, new Uint8Array([5, 6, 7]));
});

Deno.test("verifyStreamRequest applies Go's field rules in Go's order", () => {
  const src = generateKeyPair(), dst = generateKeyPair();
  const sign = (r: StreamRequest) => signStreamRequest(r, src.sk);
  const base = request(src, dst);
  assertEquals(verifyStreamRequest(sign(base)).request.SrcAddr.Port, 49153);
  assertEquals(
    code(() => verifyStreamRequest(sign({ ...base, SrcAddr: { PK: PubKey.NULL, Port: 1 } }))),
    302,
  );
  assertEquals(
    code(() => verifyStreamRequest(sign({ ...base, SrcAddr: { PK: src.pk, Port: 0 } }))),
    304,
  );
  assertEquals(
    code(() => verifyStreamRequest(sign({ ...base, DstAddr: { PK: PubKey.NULL, Port: 80 } }))),
    303,
  );
  assertEquals(
    code(() => verifyStreamRequest(sign({ ...base, DstAddr: { PK: dst.pk, Port: 0 } }))),
    305,
  );
  assertEquals(code(() => verifyStreamRequest(sign({ ...base, Timestamp: 0n }))), 301);
  assertEquals(code(() => verifyStreamRequest(signStreamRequest(base, dst.sk))), 300);
  const tampered = sign(base);
  tampered[tampered.length - 2] ^= 1;
  assertEquals(code(() => verifyStreamRequest(tampered)), 300);
  assertEquals(code(() => verifyStreamRequest(tampered.subarray(0, 65))), 370);
  assertEquals(code(() => verifyStreamRequest(new Uint8Array(80))), 370);
});

Deno.test("verifyStreamResponse checks hash, signature, then Accepted and its code", () => {
  const src = generateKeyPair(), dst = generateKeyPair();
  const req = verifyStreamRequest(signStreamRequest(request(src, dst), src.sk));
  const good = {
    ReqHash: sha256(req.signed),
    Accepted: true,
    ErrCode: 0,
    NoiseMsg: new Uint8Array([9]),
  };
  assert(verifyStreamResponse(signStreamResponse(good, dst.sk), req).Accepted);
  assertEquals(
    code(() =>
      verifyStreamResponse(
        signStreamResponse({ ...good, ReqHash: new Uint8Array(32) }, dst.sk),
        req,
      )
    ),
    351,
  );
  assertEquals(code(() => verifyStreamResponse(signStreamResponse(good, src.sk), req)), 350);
  const refused = signStreamResponse({ ...good, Accepted: false, ErrCode: 306 }, dst.sk);
  assertEquals(code(() => verifyStreamResponse(refused, req)), 306);
  assertEquals(checkStreamResponse(refused, req).Accepted, false);
  const unknown = signStreamResponse({ ...good, Accepted: false, ErrCode: 9999 }, dst.sk);
  assertEquals(code(() => verifyStreamResponse(unknown, req)), 352);
  assertEquals(code(() => verifyStreamResponse(new Uint8Array(10), req)), 370);
});
