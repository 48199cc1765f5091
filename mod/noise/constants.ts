/**
 * Sizes and limits of dmsg's Noise framing, all taken from the Go implementation
 * (`pkg/noise/read_writer.go`, `noise.go`, `dh.go`).
 *
 * @module
 */

/** Largest transport frame on the wire, including the 2-byte length prefix (Go `maxFrameSize`). */
export const MAX_FRAME_SIZE = 4096;

/** Size of the big-endian length prefix in front of every frame and handshake message. */
export const FRAME_PREFIX_SIZE = 2;

/** Largest length-prefix value accepted for a frame or handshake message (Go `maxPrefixValue`). */
export const MAX_FRAME_LENGTH: number = MAX_FRAME_SIZE - FRAME_PREFIX_SIZE;

/** Size of the explicit big-endian nonce at the start of each frame body (Go `nonceSize`). */
export const NONCE_SIZE = 8;

/** Size of the ChaCha20-Poly1305 authentication tag. */
export const TAG_SIZE = 16;

/** Per-frame overhead after the prefix: nonce plus tag (Go `authSize`). */
export const FRAME_OVERHEAD: number = NONCE_SIZE + TAG_SIZE;

/** Largest plaintext carried by one transport frame; larger writes are split (Go `maxPayloadSize`). */
export const MAX_FRAME_PLAINTEXT: number = MAX_FRAME_LENGTH - FRAME_OVERHEAD;

/**
 * Largest length-prefix value of a session object (stream request/response). Go writes the
 * object length as a plain uint16 and reads it back unchecked, so objects are bounded only by
 * the 16-bit prefix, not by {@linkcode MAX_FRAME_LENGTH}.
 */
export const MAX_OBJECT_LENGTH = 0xffff;

/** Largest session-object plaintext that fits the 16-bit prefix. */
export const MAX_OBJECT_PLAINTEXT: number = MAX_OBJECT_LENGTH - FRAME_OVERHEAD;

/** Noise DH output length: 32-byte Skywire ECDH plus one trailing zero byte (Go `DHLen()`). */
export const DH_LEN = 33;

/** Length of a compressed secp256k1 public key as carried in handshake messages. */
export const PUBLIC_KEY_SIZE = 33;

/** Default time allowed for a whole handshake (Go `HandshakeTimeout`, 5 s). */
export const HANDSHAKE_TIMEOUT_MS = 5_000;

/** Width of the replay window for session objects (2026 Go `nonce_window.go`). */
export const NONCE_WINDOW_SIZE = 1024;

/** Size of a 2026 ML-KEM-768 encapsulation key offered in XK message 1; we stay classical. */
export const PQ_OFFER_SIZE = 1184;
