import { parseReleasePublicKey, type ReleaseKey } from "./keys.ts";

/**
 * Release keys every build trusts. Only public keys live here; the maintainers keep the secret
 * keys offline. To rotate: add the new key here, ship a release signed by the old key (nodes now
 * trust both), then sign with the new key and remove the old entry a release later.
 */
export const EMBEDDED_RELEASE_KEYS: readonly { keyId: string; publicKey: string; note: string }[] =
  [
    {
      keyId: "e0c9bbfbbb424195",
      publicKey: "a3e7594023d5e734fdb0bec2e1b91d7d1a3b4d3054e12bb43570a67e77979b7b",
      note: "skywire-deno maintainers' release key #1",
    },
  ];

/**
 * The embedded keys plus `extra` (hex public keys, e.g. `updater.trusted_keys`), without
 * duplicates. Throws `ReleaseKeyError` naming a malformed extra key.
 */
export function trustedReleaseKeys(extra: readonly string[] = []): ReleaseKey[] {
  const keys = new Map<string, ReleaseKey>();
  for (const entry of EMBEDDED_RELEASE_KEYS) {
    const key = parseReleasePublicKey(entry.publicKey);
    keys.set(key.keyId, key);
  }
  for (const hex of extra) {
    const key = parseReleasePublicKey(hex);
    keys.set(key.keyId, key);
  }
  return [...keys.values()];
}
