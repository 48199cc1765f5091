import type { ByteStream } from "../conn/mod.ts";
import { readFull, UnexpectedEofError, writeAll } from "../conn/mod.ts";
import { FRAME_PREFIX_SIZE, HANDSHAKE_TIMEOUT_MS, MAX_FRAME_LENGTH } from "./constants.ts";
import { NoiseHandshakeError, NoiseHandshakeTimeoutError } from "./errors.ts";
import { Handshake, type HandshakeOptions, type TransportKeys } from "./handshake.ts";

/** Options for {@linkcode performHandshake}. */
export interface PerformHandshakeOptions extends HandshakeOptions {
  /** The stream to shake hands over (typically a fresh TCP connection). Never closed here. */
  stream: ByteStream;
  /** Time allowed for the whole handshake; default 5000 ms, as Go's `HandshakeTimeout`. */
  timeoutMs?: number;
  /** Payload of our first handshake message (default empty, as 2023 peers send). */
  payload?: Uint8Array;
}

/**
 * Run a whole XK or KK handshake over `stream`, each message framed `len(2, BE) ‖ message`,
 * and return the transport keys (wrap them in a `NoiseStream`, or a `SessionObjectCipher` for
 * a dmsg session whose mux runs on the raw connection).
 *
 * Reads exactly the bytes of each handshake message and nothing more, so whatever the peer
 * sends after the handshake is still unread in `stream` (the dmsg server treats leftover
 * buffered bytes as an error). Payloads the peer sends (such as a 2026 post-quantum offer) are
 * authenticated and ignored: the session stays classical.
 *
 * Ownership: the caller owns `stream` before, during and after, and this function never closes
 * it. On failure (`NoiseHandshakeError`, `NoiseHandshakeTimeoutError`, or the stream's own
 * error) the caller should close `stream`; after a timeout a read may still be pending on it,
 * and closing the stream is what ends that read.
 */
export async function performHandshake(options: PerformHandshakeOptions): Promise<TransportKeys> {
  const handshake = new Handshake(options);
  const timeoutMs = options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoiseHandshakeTimeoutError(timeoutMs)), timeoutMs);
  });
  const expired = { value: false };
  const run = exchangeMessages(handshake, options.stream, options.payload, expired);
  // If the timeout wins, the exchange stops at its next step (or when the caller closes the
  // stream under its pending read); that rejection has nobody left to tell.
  run.catch(() => {});
  try {
    return await Promise.race([run, timeout]);
  } finally {
    expired.value = true;
    clearTimeout(timer);
  }
}

async function exchangeMessages(
  handshake: Handshake,
  stream: ByteStream,
  firstPayload: Uint8Array | undefined,
  expired: { value: boolean },
): Promise<TransportKeys> {
  let payload = firstPayload;
  while (!handshake.finished) {
    // After a timeout nothing more is written: a late message must not reach the peer.
    if (expired.value) throw new NoiseHandshakeError("noise: handshake abandoned after timeout");
    if (handshake.shouldWrite) {
      const message = handshake.writeMessage(payload);
      payload = undefined;
      if (message.length > MAX_FRAME_LENGTH) {
        throw new NoiseHandshakeError(
          `noise: handshake message of ${message.length} bytes exceeds ${MAX_FRAME_LENGTH}`,
        );
      }
      const framed = new Uint8Array(FRAME_PREFIX_SIZE + message.length);
      new DataView(framed.buffer).setUint16(0, message.length, false);
      framed.set(message, FRAME_PREFIX_SIZE);
      await writeAll(stream, framed);
    } else {
      handshake.readMessage(await readHandshakeMessage(stream, handshake.messageIndex + 1));
    }
  }
  return handshake.transportKeys();
}

// Exactly one framed message: the 2-byte length, then that many bytes, bounded before allocating.
async function readHandshakeMessage(stream: ByteStream, index: number): Promise<Uint8Array> {
  try {
    const prefix = new Uint8Array(FRAME_PREFIX_SIZE);
    await readFull(stream, prefix);
    const length = (prefix[0] << 8) | prefix[1];
    if (length > MAX_FRAME_LENGTH) {
      throw new NoiseHandshakeError(
        `noise: handshake message ${index} length ${length} exceeds ${MAX_FRAME_LENGTH}`,
      );
    }
    const message = new Uint8Array(length);
    await readFull(stream, message);
    return message;
  } catch (error) {
    if (!(error instanceof UnexpectedEofError)) throw error;
    throw new NoiseHandshakeError(`noise: stream ended before handshake message ${index}`, {
      cause: error,
    });
  }
}
