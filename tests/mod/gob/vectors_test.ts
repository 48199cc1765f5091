import { assertEquals } from "@std/assert";
import {
  bytesToHex,
  hexToBytes,
  PubKey,
  SecKey,
  sha256,
  Sig,
  signPayload,
  verifyPubKeySignedPayload,
} from "../../../mod/cipher/mod.ts";
import { decodeGob, encodeGob, go, type GobType, GobTypeRegistry } from "../../../mod/gob/mod.ts";
import * as T from "./_types.ts";
import { plain, vectors2023, vectors2024 } from "./_vectors.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

// Every 2024 vector was encoded in a fresh Go 1.26 process (ids start at 64), but the
// response vectors' process had encoded a StreamRequest first (their ids start at 67).
const go126 = () => new GobTypeRegistry({ firstTypeId: 64 });
function registryFor(type: GobType<unknown>): GobTypeRegistry {
  const registry = go126();
  if (type === T.StreamResponse) registry.idOf(T.StreamRequest);
  return registry;
}

const pk = (hex: string) => PubKey.fromHex(hex);
const addr = (a: Json) => ({ PK: pk(a.PK), Port: a.Port });
const hop = (h: Json) => ({ TpID: h.TpID, From: pk(h.From), To: pk(h.To) });
// The 2024 JSON prints the timestamp through a float64 (…283800); the bytes hold the exact
// input, which is the 2023 file's timestamp.
const EXACT_TIMESTAMP = 1795235666558283721n;
function timestamp(json: bigint | number): bigint {
  assertEquals(Number(json), Number(EXACT_TIMESTAMP));
  return EXACT_TIMESTAMP;
}
const streamRequest = (v: Json): T.StreamRequest => ({
  Timestamp: timestamp(v.Timestamp),
  SrcAddr: addr(v.SrcAddr),
  DstAddr: addr(v.DstAddr),
  NoiseMsg: hexToBytes(v.NoiseMsg),
});
const streamResponse = (v: Json): T.StreamResponse => ({
  ReqHash: hexToBytes(v.ReqHash),
  Accepted: v.Accepted,
  ErrCode: v.ErrCode,
  NoiseMsg: hexToBytes(v.NoiseMsg),
});

// Each 2024 gob vector: its description and the value its JSON describes.
const cases: Record<string, [GobType<unknown>, (v: Json) => unknown]> = {
  stream_request: [T.StreamRequest, streamRequest],
  stream_response_accepted: [T.StreamResponse, streamResponse],
  stream_response_rejected: [T.StreamResponse, streamResponse],
  bidirectional_route: [T.BidirectionalRoute, (v) => ({
    Desc: hexToBytes(v.Desc.bytes),
    KeepAlive: BigInt(v.KeepAlive_ns),
    Forward: v.Forward.map(hop),
    Reverse: v.Reverse.map(hop),
  })],
  hop: [T.Hop, hop],
  edge_rules: [T.EdgeRules, (v) => ({
    Desc: hexToBytes(v.Desc.bytes),
    Forward: hexToBytes(v.Forward),
    Reverse: hexToBytes(v.Reverse),
  })],
  rule_intermediary: [T.Rule, hexToBytes],
  rule_forward: [T.Rule, hexToBytes],
  rules: [T.Rules, (v) => v.map(hexToBytes)],
  route_ids: [T.RouteIDs, (v) => v],
  uint8: [go.uint8, (v) => v],
  bool_true: [go.bool, (v) => v],
  bool_false: [go.bool, (v) => v],
};

// Signed objects: sig(65) ‖ gob, who signs, and which request a response answers.
const signed: Record<string, { type: GobType<unknown>; signer: string; request?: string }> = {
  signed_stream_request: { type: T.StreamRequest, signer: "initiator" },
  signed_stream_request_kk: { type: T.StreamRequest, signer: "initiator" },
  signed_stream_response_accepted: {
    type: T.StreamResponse,
    signer: "responder",
    request: "signed_stream_request",
  },
  signed_stream_response_rejected: {
    type: T.StreamResponse,
    signer: "responder",
    request: "signed_stream_request",
  },
  signed_stream_response_kk: {
    type: T.StreamResponse,
    signer: "responder",
    request: "signed_stream_request_kk",
  },
};

Deno.test("every 2024 gob vector is covered by these tests", () => {
  const names = Object.keys(vectors2024.gob).filter((k) => typeof vectors2024.gob[k] === "object");
  assertEquals(names.sort(), [...Object.keys(cases), ...Object.keys(signed)].sort());
});

for (const [name, [type, build]] of Object.entries(cases)) {
  Deno.test(`2024 gob vector ${name} decodes to its Go value and re-encodes byte for byte`, () => {
    const vector = vectors2024.gob[name];
    const expected = build(vector.value);
    assertEquals(plain(decodeGob(type, hexToBytes(vector.bytes))), plain(expected));
    assertEquals(
      bytesToHex(encodeGob(type, expected, { registry: registryFor(type) })),
      vector.bytes,
    );
  });
}

for (const [name, { type, signer, request }] of Object.entries(signed)) {
  Deno.test(`2024 signed object ${name}: gob, signature and request hash match Go`, () => {
    const vector = vectors2024.gob[name];
    const bytes = hexToBytes(vector.bytes);
    const sig = Sig.fromBytes(bytes.subarray(0, 65));
    const object = bytes.subarray(65);
    const value = decodeGob(type, object) as Record<string, unknown>;
    const build = type === T.StreamRequest ? streamRequest : streamResponse;
    assertEquals(plain(value), plain(build(vector.value)));
    const registry = registryFor(type);
    assertEquals(bytesToHex(encodeGob(type, value, { registry })), bytesToHex(object));
    // Go signed with the same RFC 6979 nonce, so the signature is reproducible too.
    const sk = SecKey.fromHex(vectors2024.keys[`${signer}_sk`]);
    assertEquals(signPayload(object, sk).hex(), sig.hex());
    verifyPubKeySignedPayload(pk(vectors2024.keys[`${signer}_pk`]), sig, object);
    if (request) {
      const requestBytes = hexToBytes(vectors2024.gob[request].bytes);
      assertEquals(bytesToHex(value.ReqHash as Uint8Array), bytesToHex(sha256(requestBytes)));
    }
  });
}

Deno.test("2023 gob vectors decode and re-encode byte for byte (ids from 65, one process)", () => {
  const requestVector = vectors2023.gob_stream_request;
  const request = decodeGob(T.StreamRequest, hexToBytes(requestVector.bytes));
  assertEquals(
    plain(request),
    plain({
      Timestamp: requestVector.fields.Timestamp,
      SrcAddr: { PK: pk(requestVector.fields.SrcAddr.public_key), Port: 49153 },
      DstAddr: { PK: pk(requestVector.fields.DstAddr.public_key), Port: 80 },
      NoiseMsg: Uint8Array.from(atob(requestVector.fields.NoiseMsg), (c) => c.charCodeAt(0)),
    }),
  );
  assertEquals(request.Timestamp, 1795235666558283721n);
  const responseVector = vectors2023.gob_stream_response;
  const response = decodeGob(T.StreamResponse, hexToBytes(responseVector.bytes));
  assertEquals(
    plain(response),
    plain({
      ReqHash: hexToBytes(responseVector.req_hash),
      Accepted: true,
      ErrCode: 0,
      NoiseMsg: hexToBytes(responseVector.noise_msg),
    }),
  );
  // The Go producer encoded the request, then the response, in one process.
  const registry = new GobTypeRegistry();
  assertEquals(bytesToHex(encodeGob(T.StreamRequest, request, { registry })), requestVector.bytes);
  assertEquals(
    bytesToHex(encodeGob(T.StreamResponse, response, { registry })),
    responseVector.bytes,
  );
});

Deno.test("2023 signed stream request: sig ‖ gob, signature by the source key", () => {
  const bytes = hexToBytes(vectors2023.signed_stream_request.bytes);
  const object = bytes.subarray(65);
  assertEquals(bytesToHex(object), vectors2023.gob_stream_request.bytes);
  const request = decodeGob(T.StreamRequest, object);
  verifyPubKeySignedPayload(request.SrcAddr.PK, Sig.fromBytes(bytes.subarray(0, 65)), object);
});

// Bytes Go 1.26 encoding/gob wrote for structs shaped like the 2026 dmsg types (field order as
// in reference §3.3), with the 2024 vectors' keys: a fresh process each, so ids start at 64.
const GO_2026_REQUEST =
  "667f0301010d53747265616d5265717565737401ff80000106010954696d657374616d7001040001075372634164" +
  "647201ff820001074473744164647201ff820001064950696e666f010200010747656f496e666f01020001084e6f" +
  "6973654d7367010a00000023ff81030101044164647201ff820001020102504b01ff84000104506f727401060000" +
  "0012ff83060101065075624b657901ff8400000067ff8001f831d3eaa782a2df92010121021a5314c394980a80c3" +
  "a3f457c54a0850c2ec8a678e30ad2c931c5f9b3e1dd64401fec0010001012102087c845fc773c8954e279795ecc0" +
  "4ed6d62593edfc6a085e856d9b0a1b3257190150000101010101040102030400";
const GO_2026_RESPONSE =
  "ff887f0301010e53747265616d526573706f6e736501ff8000010901075265714861736801ff8200010841636365" +
  "707465640102000102495001" + "0a00010a47656f436f756e747279010c00010947656f526567696f6e010c0001" +
  "0647656f4c6174010800010647656f4c6f6e0108000107457272436f646501060001084e6f6973654d7367010a00" +
  "000016ff810101010653484132353601ff82000106014000006fff8001203e72fff15856ff86351870ffb63d00ff" +
  "a4ffd02cff83ffa6ffca3d50ffb3ffc434ffee3dff8e15fff4ff8355ff95ffcf0101011000000000000000000000" +
  "ffffcb007107010246490107557573696d616101f8f6285c8fc2154e4001f8713d0ad7a3f03840020305060700";

Deno.test("Go bytes with the 2026 IP/geo fields decode with both descriptions", () => {
  const request = decodeGob(T.StreamRequestV2026, hexToBytes(GO_2026_REQUEST));
  assertEquals([request.IPinfo, request.GeoInfo, request.SrcAddr.Port], [true, true, 49153]);
  assertEquals(
    bytesToHex(encodeGob(T.StreamRequestV2026, request, { registry: go126() })),
    GO_2026_REQUEST,
  );
  const old = decodeGob(T.StreamRequest, hexToBytes(GO_2026_REQUEST));
  const { IPinfo: _ipInfo, GeoInfo: _geoInfo, ...common } = request;
  assertEquals(plain(old), plain(common));
  assertEquals(Object.keys(old), ["Timestamp", "SrcAddr", "DstAddr", "NoiseMsg"]);

  const response = decodeGob(T.StreamResponseV2026, hexToBytes(GO_2026_RESPONSE));
  assertEquals(
    [response.GeoCountry, response.GeoRegion, response.GeoLat, response.GeoLon],
    ["FI", "Uusimaa", 60.17, 24.94],
  );
  // net.IP is a plain []byte to gob: ParseIP("203.0.113.7") is the 16-byte mapped form.
  assertEquals(bytesToHex(response.IP), "00000000000000000000ffffcb007107");
  assertEquals(
    bytesToHex(encodeGob(T.StreamResponseV2026, response, { registry: go126() })),
    GO_2026_RESPONSE,
  );
  const oldResponse = decodeGob(T.StreamResponse, hexToBytes(GO_2026_RESPONSE));
  assertEquals([oldResponse.Accepted, bytesToHex(oldResponse.NoiseMsg)], [true, "050607"]);
});

Deno.test("2024 (pre-geo) bytes decode with the 2026 descriptions as zero geo fields", () => {
  const request = decodeGob(
    T.StreamRequestV2026,
    hexToBytes(vectors2024.gob.stream_request.bytes),
  );
  assertEquals([request.IPinfo, request.GeoInfo], [false, false]);
  const response = decodeGob(
    T.StreamResponseV2026,
    hexToBytes(vectors2024.gob.stream_response_rejected.bytes),
  );
  assertEquals(
    [response.IP.length, response.GeoCountry, response.GeoLat, response.ErrCode],
    [0, "", 0, 306],
  );
});

Deno.test("our 2026-shaped bytes decode with the 2024 description and the reverse", () => {
  const base = streamRequest(vectors2024.gob.stream_request.value);
  const newer = encodeGob(T.StreamRequestV2026, { ...base, IPinfo: true, GeoInfo: false });
  assertEquals(plain(decodeGob(T.StreamRequest, newer)), plain(base));
  const older = encodeGob(T.StreamRequest, base);
  assertEquals(
    plain(decodeGob(T.StreamRequestV2026, older)),
    plain({ ...base, IPinfo: false, GeoInfo: false }),
  );
});
