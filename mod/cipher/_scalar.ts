/** secp256k1's group order n, big-endian. */
export const ORDER: Uint8Array = Uint8Array.from(
  "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141".match(/../g)!,
  (byte) => parseInt(byte, 16),
);

/** Whether the 32-byte big-endian `bytes` is >= n. */
export function atLeastOrder(bytes: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (bytes[i] !== ORDER[i]) return bytes[i] > ORDER[i];
  return true;
}

/** Whether `bytes` is a valid secret key: 32 bytes, big-endian, in [1, n - 1]. */
export function isValidScalar(bytes: Uint8Array): boolean {
  return bytes.length === 32 && bytes.some((byte) => byte !== 0) && !atLeastOrder(bytes);
}
