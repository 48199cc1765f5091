/**
 * The JSON frames of the network handshake, byte for byte as Go's `json.Encoder` writes them
 * (`pkg/transport/network/handshake`): Frame1 `{"Nonce":[16 numbers]}`, Frame2 (addresses,
 * nonce, signature), Frame3 `{"OK":bool,"ErrMsg":""}`, each followed by `\n`.
 *
 * @module
 */
import {
  CipherError,
  PubKey,
  type SecKey,
  Sig,
  signPayload,
  verifyPubKeySignedPayload,
} from "../cipher/mod.ts";
import type { DmsgAddr } from "../dmsg/mod.ts";
import {
  asObject,
  encodeLine,
  field,
  goJsonString,
  parseJson,
  readArray,
  readBool,
  readString,
  readUint,
} from "./_json.ts";
import { HANDSHAKE_NONCE_SIZE } from "./constants.ts";
import { MalformedFrameError } from "./errors.ts";

/** Frame2: the initiator's signed claim of who it is and whom it wants, over the nonce. */
export interface Frame2 {
  /** The initiator: its key and its (ephemeral) skywire port. */
  srcAddr: DmsgAddr;
  /** The responder's key and the port dialed (45 for transports). */
  dstAddr: DmsgAddr;
  /** The 16 bytes from Frame1, echoed. */
  nonce: Uint8Array;
  /** SignPayload by `srcAddr.pk` over the frame's JSON line with a zero `Sig`. */
  sig: Sig;
}

/** Frame3: the responder's verdict. */
export interface Frame3 {
  /** Whether the handshake succeeded. */
  ok: boolean;
  /** Why not, in the responder's words (`""` when OK). */
  errMsg: string;
}

function nonceJson(nonce: Uint8Array): string {
  return `[${Array.from(nonce).join(",")}]`;
}

function addrJson(addr: DmsgAddr): string {
  return `{"public_key":"${addr.pk.hex()}","port":${addr.port}}`;
}

function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== HANDSHAKE_NONCE_SIZE) {
    throw new RangeError(`handshake nonce must be ${HANDSHAKE_NONCE_SIZE} bytes`);
  }
}

/** Frame1 as Go writes it: `{"Nonce":[n0,…,n15]}\n`. */
export function encodeFrame1(nonce: Uint8Array): Uint8Array {
  checkNonce(nonce);
  return encodeLine(`{"Nonce":${nonceJson(nonce)}}`);
}

/** The nonce of a Frame1 line (without its newline). Throws {@linkcode MalformedFrameError}. */
export function decodeFrame1(line: Uint8Array): Uint8Array {
  const object = asObject(parseJson(line, "Frame1"), "Frame1");
  return readNonce(field(object, "Nonce"), "Frame1.Nonce");
}

// Go's [16]byte: a shorter array leaves the rest zero, elements past 16 are skipped unread.
function readNonce(value: unknown, what: string): Uint8Array {
  const items = readArray(value, what) ?? [];
  const nonce = new Uint8Array(HANDSHAKE_NONCE_SIZE);
  for (let i = 0; i < Math.min(items.length, HANDSHAKE_NONCE_SIZE); i++) {
    nonce[i] = readUint(items[i], 0xff, `${what}[${i}]`);
  }
  return nonce;
}

/** The JSON line of a Frame2 with `sig` replaced, as Go encodes it (newline included). */
function frame2Line(frame: Omit<Frame2, "sig">, sig: Sig): Uint8Array {
  return encodeLine(
    `{"SrcAddr":${addrJson(frame.srcAddr)},"DstAddr":${addrJson(frame.dstAddr)},"Nonce":${
      nonceJson(frame.nonce)
    },"Sig":"${sig.hex()}"}`,
  );
}

/**
 * Sign a Frame2 as Go's `Frame2.Sign` does: `srcAddr.pk` becomes the signer's key, and the
 * signature covers the frame's JSON line (newline included) with a zero `Sig`.
 */
export function signFrame2(frame: Omit<Frame2, "sig">, sk: SecKey): Frame2 {
  checkNonce(frame.nonce);
  const unsigned = { ...frame, srcAddr: { pk: sk.pubKey(), port: frame.srcAddr.port } };
  return { ...unsigned, sig: signPayload(frame2Line(unsigned, Sig.zero()), sk) };
}

/** Frame2 as Go writes it, newline included. */
export function encodeFrame2(frame: Frame2): Uint8Array {
  return frame2Line(frame, frame.sig);
}

function readPubKey(value: unknown, what: string): PubKey {
  try {
    return PubKey.fromHex(readString(value, what));
  } catch (cause) {
    if (cause instanceof MalformedFrameError) throw cause;
    throw new MalformedFrameError(`${what}: invalid public key`, { cause });
  }
}

function readAddr(value: unknown, what: string): DmsgAddr {
  const object = asObject(value, what);
  return {
    pk: readPubKey(field(object, "public_key"), `${what}.public_key`),
    port: readUint(field(object, "port"), 0xffff, `${what}.port`),
  };
}

/** Decode a Frame2 line (without its newline). Throws {@linkcode MalformedFrameError}. */
export function decodeFrame2(line: Uint8Array): Frame2 {
  const object = asObject(parseJson(line, "Frame2"), "Frame2");
  // Go's Sig.UnmarshalText wants 65 bytes of hex; an absent Sig stays zero and fails to verify.
  const sigValue = field(object, "Sig");
  let sig = Sig.zero();
  if (sigValue !== undefined && sigValue !== null) {
    const text = readString(sigValue, "Frame2.Sig");
    try {
      sig = Sig.fromHex(text);
    } catch (cause) {
      throw new MalformedFrameError("Frame2.Sig: invalid signature", { cause });
    }
  }
  return {
    srcAddr: readAddr(field(object, "SrcAddr"), "Frame2.SrcAddr"),
    dstAddr: readAddr(field(object, "DstAddr"), "Frame2.DstAddr"),
    nonce: readNonce(field(object, "Nonce"), "Frame2.Nonce"),
    sig,
  };
}

/**
 * Check a decoded Frame2 as Go's `Frame2.Verify`: the nonce must be ours, and the signature by
 * `srcAddr.pk` must cover our canonical re-encoding of the frame (not the bytes received).
 * Throws {@linkcode MalformedFrameError} ("unexpected nonce") or `CipherError`.
 */
export function verifyFrame2(frame: Frame2, nonce: Uint8Array): void {
  if (frame.nonce.length !== nonce.length || frame.nonce.some((b, i) => b !== nonce[i])) {
    throw new MalformedFrameError("unexpected nonce");
  }
  if (frame.srcAddr.pk.isNull()) throw new CipherError("invalid public key: null");
  verifyPubKeySignedPayload(frame.srcAddr.pk, frame.sig, frame2Line(frame, Sig.zero()));
}

/** Frame3 as Go writes it: `{"OK":true,"ErrMsg":""}\n`. */
export function encodeFrame3(frame: Frame3): Uint8Array {
  return encodeLine(`{"OK":${frame.ok},"ErrMsg":${goJsonString(frame.errMsg)}}`);
}

/** Decode a Frame3 line (without its newline). Throws {@linkcode MalformedFrameError}. */
export function decodeFrame3(line: Uint8Array): Frame3 {
  const object = asObject(parseJson(line, "Frame3"), "Frame3");
  return {
    ok: readBool(field(object, "OK"), "Frame3.OK"),
    errMsg: readString(field(object, "ErrMsg"), "Frame3.ErrMsg"),
  };
}
