import {
  CipherError,
  type SecKey,
  sha256,
  Sig,
  signPayload,
  verifyPubKeySignedPayload,
} from "../cipher/mod.ts";
import { decodeGob, encodeGob, GobError, type GobType } from "../gob/mod.ts";
import { StreamRequest, StreamResponse } from "./gob_types.ts";
import { SIG_LENGTH } from "./constants.ts";
import { DmsgError, DmsgErrorCode, isKnownDmsgErrorCode } from "./errors.ts";

/**
 * Signed objects (Go `dmsg.SignedObject`): `sig(65) ‖ gob(object)`, the signature being over the
 * gob bytes. Stream requests and responses travel this way, each encrypted with the session's
 * Noise keys hop by hop; the signature is end to end.
 *
 * @module
 */

/** A request whose fields and signature checked out, with the signed bytes it came from. */
export interface VerifiedStreamRequest {
  /** The decoded request. */
  request: StreamRequest;
  /** The whole signed object (`sig ‖ gob`), forwarded unchanged and hashed by the response. */
  signed: Uint8Array;
}

function sign(gob: Uint8Array, sk: SecKey): Uint8Array {
  const out = new Uint8Array(SIG_LENGTH + gob.length);
  out.set(signPayload(gob, sk).view);
  out.set(gob, SIG_LENGTH);
  return out;
}

/** Encode and sign a stream request (Go `MakeSignedStreamRequest`). */
export function signStreamRequest(request: StreamRequest, sk: SecKey): Uint8Array {
  return sign(encodeGob(StreamRequest, request), sk);
}

/** Encode and sign a stream response (Go `MakeSignedStreamResponse`). */
export function signStreamResponse(response: StreamResponse, sk: SecKey): Uint8Array {
  return sign(encodeGob(StreamResponse, response), sk);
}

function decodeObject<T>(type: GobType<T>, signed: Uint8Array): T {
  if (signed.length <= SIG_LENGTH) {
    throw new DmsgError(DmsgErrorCode.signedObjectInvalid, { detail: "too short" });
  }
  try {
    return decodeGob(type, signed.subarray(SIG_LENGTH));
  } catch (cause) {
    if (cause instanceof GobError || cause instanceof CipherError) {
      throw new DmsgError(DmsgErrorCode.signedObjectInvalid, { cause });
    }
    throw cause;
  }
}

function verifySignature(
  pk: StreamRequest["SrcAddr"]["PK"],
  signed: Uint8Array,
  code: number,
): void {
  try {
    verifyPubKeySignedPayload(
      pk,
      Sig.fromBytes(signed.subarray(0, SIG_LENGTH)),
      signed.subarray(SIG_LENGTH),
    );
  } catch (cause) {
    if (cause instanceof CipherError) throw new DmsgError(code, { cause });
    throw cause;
  }
}

/**
 * Decode and check a signed stream request as Go's `StreamRequest.Verify(0)` does: source and
 * destination keys non-null, ports non-zero, timestamp positive, signed by the source key.
 * Throws {@linkcode DmsgError} (370, 302, 304, 303, 305, 301, 300) and nothing else.
 */
export function verifyStreamRequest(signed: Uint8Array): VerifiedStreamRequest {
  const request = decodeObject(StreamRequest, signed);
  if (request.SrcAddr.PK.isNull()) throw new DmsgError(DmsgErrorCode.requestInvalidSrcPk);
  if (request.SrcAddr.Port === 0) throw new DmsgError(DmsgErrorCode.requestInvalidSrcPort);
  if (request.DstAddr.PK.isNull()) throw new DmsgError(DmsgErrorCode.requestInvalidDstPk);
  if (request.DstAddr.Port === 0) throw new DmsgError(DmsgErrorCode.requestInvalidDstPort);
  if (request.Timestamp <= 0n) throw new DmsgError(DmsgErrorCode.requestInvalidTimestamp);
  verifySignature(request.SrcAddr.PK, signed, DmsgErrorCode.requestInvalidSignature);
  return { request, signed };
}

/**
 * Decode a signed response to `request` and check that it answers it (hash of the signed
 * request) and is signed by the destination, without looking at `Accepted`: a relay passes a
 * signed refusal on. Throws {@linkcode DmsgError} (370, 351, 350) and nothing else.
 */
export function checkStreamResponse(
  signed: Uint8Array,
  request: VerifiedStreamRequest,
): StreamResponse {
  const response = matchStreamResponse(signed, request);
  checkStreamResponseSignature(signed, request);
  return response;
}

/**
 * The first half of {@linkcode checkStreamResponse}: decode a signed response and check that
 * it answers `request` (hash of the signed request), not yet who signed it. Throws
 * {@linkcode DmsgError} (370, 351) and nothing else.
 */
export function matchStreamResponse(
  signed: Uint8Array,
  request: VerifiedStreamRequest,
): StreamResponse {
  const response = decodeObject(StreamResponse, signed);
  if (!bytesEqual(response.ReqHash, sha256(request.signed))) {
    throw new DmsgError(DmsgErrorCode.responseInvalidHash);
  }
  return response;
}

/**
 * The second half of {@linkcode checkStreamResponse}: the response is signed by the request's
 * destination. Throws {@linkcode DmsgError} 350 and nothing else.
 */
export function checkStreamResponseSignature(
  signed: Uint8Array,
  request: VerifiedStreamRequest,
): void {
  verifySignature(request.request.DstAddr.PK, signed, DmsgErrorCode.responseInvalidSignature);
}

/**
 * Decode and check a signed response to `request` as Go's `StreamResponse.Verify` does: the
 * hash of the signed request, the destination's signature, then `Accepted` (a refusal throws
 * the error its `ErrCode` names, or 352). Throws {@linkcode DmsgError} and nothing else.
 */
export function verifyStreamResponse(
  signed: Uint8Array,
  request: VerifiedStreamRequest,
): StreamResponse {
  const response = checkStreamResponse(signed, request);
  if (!response.Accepted) {
    const code = response.ErrCode;
    throw new DmsgError(
      isKnownDmsgErrorCode(code) ? code : DmsgErrorCode.responseNotAccepted,
    );
  }
  return response;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
