import { nodeCrypto } from "../cipher/mod.ts";
import { TAG_SIZE } from "./constants.ts";
import { NoiseDecryptError } from "./errors.ts";
import type { Aead } from "./aead.ts";

const ALGORITHM = "chacha20-poly1305";

/** ChaCha20-Poly1305 from the runtime's native `node:crypto` (loaded at first use). */
export const nodeAead: Aead = {
  name: "node",
  seal(key, nonce, plaintext, ad, out) {
    const cipher = nodeCrypto().createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_SIZE });
    if (ad.length > 0) cipher.setAAD(ad, { plaintextLength: plaintext.length });
    const body = cipher.update(plaintext);
    cipher.final();
    out.set(body);
    out.set(cipher.getAuthTag(), plaintext.length);
  },
  open(key, nonce, sealed, ad) {
    if (sealed.length < TAG_SIZE) throw new NoiseDecryptError("noise: ciphertext shorter than tag");
    const bodyLength = sealed.length - TAG_SIZE;
    const decipher = nodeCrypto().createDecipheriv(ALGORITHM, key, nonce, {
      authTagLength: TAG_SIZE,
    });
    if (ad.length > 0) decipher.setAAD(ad, { plaintextLength: bodyLength });
    decipher.setAuthTag(sealed.subarray(bodyLength));
    // `update` hands out plaintext before the tag is checked; it is returned only after `final`.
    const plaintext = decipher.update(sealed.subarray(0, bodyLength));
    try {
      decipher.final();
    } catch (cause) {
      throw new NoiseDecryptError(undefined, { cause });
    }
    return plaintext;
  },
};
