/** Header carrying the requester's public key (66 hex characters). */
export const HEADER_PUBLIC = "SW-Public";
/** Header carrying the requester's nonce, in decimal. */
export const HEADER_NONCE = "SW-Nonce";
/** Header carrying the signature of body ‖ decimal(nonce), 130 hex characters. */
export const HEADER_SIG = "SW-Sig";

/**
 * Go's message for a request signed with a nonce other than the expected one. Go's client
 * recognises a stale nonce by this exact text in a 401, refetches the nonce and retries once.
 */
export const NONCE_MISMATCH_MESSAGE = "SW-Nonce does not match";

/** Largest nonce: Go's nonce is a `uint64`. */
export const MAX_NONCE = 0xffffffffffffffffn;
