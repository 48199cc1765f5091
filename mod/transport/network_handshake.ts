/**
 * The network handshake of TCP transports (Go `pkg/transport/network/handshake`), run on the raw
 * connection before the Noise wrap: the initiator sends `get_nonce`, the responder a random
 * nonce, the initiator a signed Frame2 naming both addresses, and the responder its verdict.
 *
 * @module
 */
import { type KeyPair, PubKey } from "../cipher/mod.ts";
import { type ByteStream, readFull, writeAll } from "../conn/mod.ts";
import type { DmsgAddr } from "../dmsg/mod.ts";
import { withDeadline } from "./_deadline.ts";
import { readJsonLine } from "./_line.ts";
import {
  GET_NONCE,
  HANDSHAKE_NONCE_SIZE,
  MAX_HANDSHAKE_LINE,
  NETWORK_HANDSHAKE_TIMEOUT_MS,
} from "./constants.ts";
import { NetworkHandshakeError, type NetworkHandshakeStep } from "./errors.ts";
import {
  decodeFrame1,
  decodeFrame2,
  decodeFrame3,
  encodeFrame1,
  encodeFrame2,
  encodeFrame3,
  signFrame2,
  verifyFrame2,
} from "./handshake_frames.ts";

const GET_NONCE_BYTES = new TextEncoder().encode(GET_NONCE);

/** Who is at each end, as the handshake established it. */
export interface NetworkHandshakeResult {
  /** Our key and skywire port. */
  localAddr: DmsgAddr;
  /** The peer's key and skywire port. */
  remoteAddr: DmsgAddr;
}

/** Options for {@linkcode initiatorHandshake}. */
export interface InitiatorHandshakeOptions {
  /** The raw connection we dialed. Closed here if the handshake fails. */
  stream: ByteStream;
  /** Our keys: Frame2 is signed with them. */
  keyPair: KeyPair;
  /** Our skywire port for this connection (an ephemeral one, ≥ 49152, as Go's porter gives). */
  localPort: number;
  /** Whom we dial: the peer's key and port (45 for transports). */
  remote: DmsgAddr;
  /** Limit for the whole exchange, ms (default 10 s, as Go). */
  timeoutMs?: number;
  /** Abort the handshake (closes the stream). */
  signal?: AbortSignal;
}

/** Options for {@linkcode responderHandshake}. */
export interface ResponderHandshakeOptions {
  /** The raw connection we accepted. Closed here if the handshake fails. */
  stream: ByteStream;
  /**
   * Go's port check: return a reason to refuse a handshake for `port` (sent to the initiator as
   * `ErrMsg`), or `undefined` to accept. Default: accept every port.
   */
  checkPort?: (port: number) => string | undefined;
  /** Our key: a Frame2 addressed to another key is refused (Go does not check; Noise would fail). */
  localPk?: PubKey;
  /** Limit for the whole exchange, ms (default 10 s, as Go). */
  timeoutMs?: number;
  /** Abort the handshake (closes the stream). */
  signal?: AbortSignal;
  /** The nonce to send (tests reproduce transcripts); default 16 random bytes. */
  nonce?: Uint8Array;
}

async function step<T>(name: NetworkHandshakeStep, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    if (cause instanceof NetworkHandshakeError) throw cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new NetworkHandshakeError(name, `${name}: ${message}`, { cause });
  }
}

function run<T>(
  options: { stream: ByteStream; timeoutMs?: number; signal?: AbortSignal },
  work: () => Promise<T>,
): Promise<T> {
  const ms = options.timeoutMs ?? NETWORK_HANDSHAKE_TIMEOUT_MS;
  return withDeadline({
    ms,
    stream: options.stream,
    signal: options.signal,
    onTimeout: () => new NetworkHandshakeError("timeout", `timed out after ${ms} ms`),
    closeOnError: true,
  }, work);
}

/**
 * Run the initiator's side: `get_nonce` (one write of 9 bytes), read the nonce, send the signed
 * Frame2, read the verdict. Resolves to the addresses; throws {@linkcode NetworkHandshakeError}
 * (with `remoteMessage` when the responder refused) after closing the stream.
 */
export function initiatorHandshake(
  options: InitiatorHandshakeOptions,
): Promise<NetworkHandshakeResult> {
  const { stream, keyPair, remote } = options;
  const localAddr = { pk: keyPair.pk, port: options.localPort };
  return run(options, async () => {
    await step("get_nonce", () => writeAll(stream, GET_NONCE_BYTES));
    const nonce = await step("nonce", async () => {
      return decodeFrame1(await readJsonLine(stream, MAX_HANDSHAKE_LINE, "Frame1"));
    });
    const frame2 = signFrame2({ srcAddr: localAddr, dstAddr: remote, nonce }, keyPair.sk);
    await step("frame2", () => writeAll(stream, encodeFrame2(frame2)));
    const frame3 = await step("result", async () => {
      return decodeFrame3(await readJsonLine(stream, MAX_HANDSHAKE_LINE, "Frame3"));
    });
    if (!frame3.ok) {
      throw new NetworkHandshakeError("result", `handshake rejected: ${frame3.errMsg}`, {
        remoteMessage: frame3.errMsg,
      });
    }
    return { localAddr, remoteAddr: { pk: remote.pk, port: remote.port } };
  });
}

/**
 * Run the responder's side: read `get_nonce`, send a fresh nonce, read and verify Frame2
 * (nonce, signature over Go's canonical form), check the port, answer. A bad nonce or signature
 * closes the connection without an answer, as Go does; a refused port gets
 * `{"OK":false,"ErrMsg":…}` first. Throws {@linkcode NetworkHandshakeError} after closing.
 */
export function responderHandshake(
  options: ResponderHandshakeOptions,
): Promise<NetworkHandshakeResult> {
  const { stream } = options;
  return run(options, async () => {
    await step("get_nonce", async () => {
      const got = new Uint8Array(GET_NONCE_BYTES.length);
      await readFull(stream, got, "get_nonce");
      if (got.some((b, i) => b !== GET_NONCE_BYTES[i])) {
        throw new Error("bad handshake message");
      }
    });
    const nonce = options.nonce ?? crypto.getRandomValues(new Uint8Array(HANDSHAKE_NONCE_SIZE));
    await step("nonce", () => writeAll(stream, encodeFrame1(nonce)));
    const frame2 = await step("frame2", async () => {
      return decodeFrame2(await readJsonLine(stream, MAX_HANDSHAKE_LINE, "Frame2"));
    });
    await step("verify", () => Promise.resolve(verifyFrame2(frame2, nonce)));
    let refusal = options.checkPort?.(frame2.dstAddr.port);
    if (refusal === undefined && options.localPk && !frame2.dstAddr.pk.equals(options.localPk)) {
      refusal = "destination public key is not ours";
    }
    if (refusal !== undefined) {
      const reason = refusal;
      await step("port", () => writeAll(stream, encodeFrame3({ ok: false, errMsg: reason })));
      throw new NetworkHandshakeError("port", reason, { remoteMessage: reason });
    }
    await step("result", () => writeAll(stream, encodeFrame3({ ok: true, errMsg: "" })));
    return { localAddr: frame2.dstAddr, remoteAddr: frame2.srcAddr };
  });
}
