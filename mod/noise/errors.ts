/** Base class of every error raised by the Noise layer, so callers can catch them together. */
export class NoiseError extends Error {
  /** Create the error with a message saying what went wrong. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NoiseError";
  }
}

/** A handshake message was malformed, failed to authenticate, or came out of turn. */
export class NoiseHandshakeError extends NoiseError {
  /** Create the error with a message saying what went wrong. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NoiseHandshakeError";
  }
}

/**
 * The handshake did not finish in time. The underlying stream is *not* closed by the Noise
 * layer: its owner must close it (a read may still be pending on it).
 */
export class NoiseHandshakeTimeoutError extends NoiseHandshakeError {
  /** Create the error, naming the timeout that elapsed. */
  constructor(timeoutMs: number) {
    super(`noise handshake did not finish within ${timeoutMs} ms`);
    this.name = "NoiseHandshakeTimeoutError";
  }
}

/** A frame's length prefix is out of range, or the stream ended inside a frame. */
export class NoiseFrameError extends NoiseError {
  /** Create the error with a message saying what went wrong. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NoiseFrameError";
  }
}

/** Authenticated decryption failed: the bytes were tampered with or the key is wrong. */
export class NoiseDecryptError extends NoiseError {
  /** Create the error with a message saying what failed. */
  constructor(message = "noise: message authentication failed", options?: ErrorOptions) {
    super(message, options);
    this.name = "NoiseDecryptError";
  }
}

/** A received nonce was zero, repeated, out of order, or older than the replay window. */
export class NoiseNonceError extends NoiseError {
  /** Create the error with a message naming the rejected nonce. */
  constructor(message: string) {
    super(message);
    this.name = "NoiseNonceError";
  }
}
