/**
 * Noise for dmsg: `Noise_XK_Secp256k1_ChaChaPoly_SHA256` (sessions) and
 * `Noise_KK_Secp256k1_ChaChaPoly_SHA256` (end-to-end streams), byte-compatible with Go dmsg.
 *
 * - {@linkcode Handshake}: the I/O-free state machine (write/read messages, then
 *   `transportKeys()`); dmsg carries KK messages inside stream request/response objects.
 * - {@linkcode performHandshake}: a whole handshake over a {@linkcode ByteStream}, framed
 *   `len(2, BE) ‖ message`, with a timeout, reading no byte past the last message.
 * - {@linkcode NoiseStream}: a `ByteStream` encrypted in dmsg's transport framing, ordered nonces.
 * - {@linkcode SessionObjectCipher}: one-frame session objects with a {@linkcode NonceWindow}.
 * - {@linkcode StaticDhCache}: KK's static-static DH remembered per peer (bounded, LRU).
 * - {@linkcode getAead}: ChaCha20-Poly1305 from the system's libcrypto (FFI), `node:crypto`, or
 *   `@noble/ciphers` as fallback; {@linkcode aeadStatus} says which and why.
 *
 * DH is Skywire ECDH (SHA-256 of the compressed shared point) plus a zero byte (33 bytes).
 * Transport keys follow dmsg, not the Noise convention: whoever writes the last handshake
 * message sends with cs2 (XK initiator, KK responder).
 *
 * @module
 */
export { Handshake } from "./handshake.ts";
export type { HandshakeOptions, HandshakePattern, TransportKeys } from "./handshake.ts";
export { performHandshake } from "./perform_handshake.ts";
export type { PerformHandshakeOptions } from "./perform_handshake.ts";
export { NoiseStream } from "./noise_stream.ts";
export { SessionObjectCipher } from "./session_objects.ts";
export { NonceWindow } from "./nonce_window.ts";
export { STATIC_DH_CACHE_SIZE, StaticDhCache } from "./static_dh_cache.ts";
export { frameNonce, ReceiveCipher, SendCipher } from "./cipher_state.ts";
export { aeadSelfTest, aeadStatus, getAead, loadAead } from "./get_aead.ts";
export type { Aead, AeadChoice } from "./aead.ts";
export {
  NoiseDecryptError,
  NoiseError,
  NoiseFrameError,
  NoiseHandshakeError,
  NoiseHandshakeTimeoutError,
  NoiseNonceError,
} from "./errors.ts";
export {
  DH_LEN,
  FRAME_OVERHEAD,
  FRAME_PREFIX_SIZE,
  HANDSHAKE_TIMEOUT_MS,
  MAX_FRAME_LENGTH,
  MAX_FRAME_PLAINTEXT,
  MAX_FRAME_SIZE,
  MAX_OBJECT_LENGTH,
  MAX_OBJECT_PLAINTEXT,
  NONCE_SIZE,
  NONCE_WINDOW_SIZE,
  PQ_OFFER_SIZE,
  TAG_SIZE,
} from "./constants.ts";
