import {
  type PubKey,
  type SecKey,
  type Sig,
  signPayload,
  verifyPubKeySignedPayload,
} from "../cipher/mod.ts";

const encoder = new TextEncoder();

/** What is signed: the request body followed by the nonce in decimal (Go's `PayloadWithNonce`). */
export function payloadWithNonce(body: Uint8Array, nonce: bigint): Uint8Array {
  const digits = encoder.encode(nonce.toString());
  const out = new Uint8Array(body.length + digits.length);
  out.set(body, 0);
  out.set(digits, body.length);
  return out;
}

/** Sign a request body for `nonce` as Go's `httpauth.Sign` does (SHA-256, recoverable ECDSA). */
export function signRequest(body: Uint8Array, nonce: bigint, sk: SecKey): Sig {
  return signPayload(payloadWithNonce(body, nonce), sk);
}

/**
 * Check a request signature as Go's `httpauth.Verify` does. Throws `CipherError` when `sig` is
 * not `pk`'s signature of body ‖ decimal(nonce).
 */
export function verifyRequest(body: Uint8Array, nonce: bigint, pk: PubKey, sig: Sig): void {
  verifyPubKeySignedPayload(pk, sig, payloadWithNonce(body, nonce));
}
