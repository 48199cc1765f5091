import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { TAG_SIZE } from "./constants.ts";
import { NoiseDecryptError } from "./errors.ts";
import type { Aead } from "./aead.ts";

/** ChaCha20-Poly1305 in pure JavaScript from `@noble/ciphers` (the portable fallback). */
export const nobleAead: Aead = {
  name: "noble",
  seal(key, nonce, plaintext, ad, out) {
    chacha20poly1305(key, nonce, ad.length > 0 ? ad : undefined).encrypt(plaintext, out);
  },
  open(key, nonce, sealed, ad) {
    if (sealed.length < TAG_SIZE) throw new NoiseDecryptError("noise: ciphertext shorter than tag");
    try {
      return chacha20poly1305(key, nonce, ad.length > 0 ? ad : undefined).decrypt(sealed);
    } catch (cause) {
      throw new NoiseDecryptError(undefined, { cause });
    }
  },
};
