/**
 * The texts Go's `cipher` package gives for keys and signatures it cannot parse or verify.
 * Services put them in their error answers; clients only show them.
 *
 * @module
 */
import { PubKey, Sig } from "../cipher/mod.ts";

function isHex(text: string): boolean {
  return text.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(text);
}

/** Go's `cipher.PubKey.UnmarshalText` (all zeros is the null key); throws with Go's text. */
export function goParsePubKey(text: string): PubKey {
  if (/^0*$/.test(text)) return PubKey.NULL;
  if (!isHex(text)) throw new Error("Invalid public key");
  if (text.length !== 66) throw new Error("Invalid public key length");
  try {
    return PubKey.fromHex(text);
  } catch {
    throw new Error("Invalid public key");
  }
}

/** Go's `cipher.Sig.UnmarshalText`; throws with Go's text. */
export function goParseSig(text: string): Sig {
  if (!isHex(text)) throw new Error("Invalid signature");
  if (text.length !== 130) throw new Error("Invalid signature length");
  return Sig.fromHex(text);
}

/** Go's text for a signature that does not verify, from our `CipherError`. */
export function goVerifyMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes("high S")) {
    return "VerifySignatureRecoverPubKey, VerifySignatureValidity failed";
  }
  if (message.includes("cannot be recovered") || message.includes("recovery id")) {
    return "Failed to recover pubkey from signature";
  }
  return "Recovered pubkey does not match pubkey";
}
