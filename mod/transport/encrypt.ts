import type { KeyPair, PubKey } from "../cipher/mod.ts";
import type { ByteStream } from "../conn/mod.ts";
import { NoiseStream, performHandshake } from "../noise/mod.ts";
import { closeQuietly, withDeadline } from "./_deadline.ts";
import { ENCRYPT_HANDSHAKE_TIMEOUT_MS } from "./constants.ts";
import { NetworkHandshakeError } from "./errors.ts";

/** Options for {@linkcode encryptStream}. */
export interface EncryptStreamOptions {
  /** The connection after the network handshake. Owned by the result, or closed on failure. */
  stream: ByteStream;
  /** Our static keys. */
  keyPair: KeyPair;
  /** The peer's static key, from the network handshake. */
  remotePk: PubKey;
  /** Whether we dialed (and so write the first KK message). */
  initiator: boolean;
  /** Limit for the KK handshake, ms (default 5 s, as Go's `encryptHSTimout`). */
  timeoutMs?: number;
  /** Abort the handshake (closes the stream). */
  signal?: AbortSignal;
}

/**
 * Wrap a TCP transport connection in Noise KK as Go's `EncryptConn` does (empty prologue and
 * payloads, handshake messages framed `len(2) ‖ msg`, then dmsg's transport frames). Resolves to
 * a {@linkcode NoiseStream} that owns `stream`; throws {@linkcode NetworkHandshakeError} with step
 * `encrypt` (or `timeout`) after closing `stream`.
 */
export async function encryptStream(options: EncryptStreamOptions): Promise<NoiseStream> {
  const ms = options.timeoutMs ?? ENCRYPT_HANDSHAKE_TIMEOUT_MS;
  const { stream } = options;
  try {
    const keys = await withDeadline({
      ms,
      stream,
      signal: options.signal,
      onTimeout: () =>
        new NetworkHandshakeError("timeout", `noise handshake timed out after ${ms} ms`),
    }, () =>
      performHandshake({
        pattern: "KK",
        initiator: options.initiator,
        localKeyPair: options.keyPair,
        remoteStatic: options.remotePk,
        stream,
        // Our own deadline above closes the stream first; this one only backs it up.
        timeoutMs: ms + 1_000,
      }));
    return new NoiseStream(stream, keys);
  } catch (cause) {
    closeQuietly(stream);
    if (cause instanceof NetworkHandshakeError || options.signal?.aborted) throw cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new NetworkHandshakeError("encrypt", `encrypt connection: ${message}`, { cause });
  }
}
