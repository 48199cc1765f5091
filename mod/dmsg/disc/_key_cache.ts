/**
 * Parsed public keys by their hex text, so that the keys entries keep naming (a client's own
 * key at each refresh, the few servers thousands of clients delegate to) are checked on the
 * curve once rather than at every decode. Bounded; the least recently used key goes first.
 * Only valid keys are kept: text that is not a key is parsed (and refused) again each time.
 *
 * @module
 */
import { PubKey } from "../../cipher/mod.ts";

/** Keys kept (about 300 bytes each: the text, the key, the map slot). */
export const KEY_CACHE_SIZE = 4_096;

const keys = new Map<string, PubKey>();

/** `PubKey.fromHex(text)`, from the cache when `text` was parsed recently. Throws as it does. */
export function pubKeyFromHexCached(text: string): PubKey {
  const found = keys.get(text);
  if (found) {
    keys.delete(text);
    keys.set(text, found);
    return found;
  }
  const pk = PubKey.fromHex(text);
  if (keys.size >= KEY_CACHE_SIZE) keys.delete(keys.keys().next().value!);
  keys.set(text, pk);
  return pk;
}
