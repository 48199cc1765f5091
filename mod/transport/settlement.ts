/**
 * The settlement handshake (Go `pkg/transport/handshake.go`), run on a transport connection
 * right after it is set up: the initiator sends the entry signed in its slot, the responder
 * checks it, countersigns, registers it with the transport discovery and answers one byte.
 *
 * @module
 */
import type { KeyPair, PubKey } from "../cipher/mod.ts";
import { type ByteStream, readFull, writeAll } from "../conn/mod.ts";
import type { Logger } from "../log/mod.ts";
import { withDeadline } from "./_deadline.ts";
import { encodeLine } from "./_json.ts";
import { readJsonLine } from "./_line.ts";
import { MAX_HANDSHAKE_LINE, SETTLEMENT_TIMEOUT_MS, SettlementResult } from "./constants.ts";
import {
  decodeSignedEntry,
  encodeSignedEntry,
  entryMismatch,
  makeEntry,
  newSignedEntry,
  type SignedTransportEntry,
  signEntry,
  verifyEntrySignature,
} from "./entry.ts";
import { SettlementError, type SettlementStep } from "./errors.ts";

/** How long the responder waits for the registration before answering anyway. */
const REGISTER_WAIT_MS = 10_000;

/** What both sides of a settlement know. */
interface SettlementCommon {
  /** The transport connection (Noise-wrapped TCP or a dmsg stream). Closed here on failure. */
  stream: ByteStream;
  /** Our keys. */
  keyPair: KeyPair;
  /** The peer's key, as the connection authenticated it. */
  remotePk: PubKey;
  /** Transport type (`dmsg`, `stcp`, `stcpr`). */
  type: string;
  /** Limit for the whole settlement, ms (default 20 s, as Go). */
  timeoutMs?: number;
  /** Abort (closes the stream). */
  signal?: AbortSignal;
}

/** Options for {@linkcode initiateSettlement}. */
export interface InitiateSettlementOptions extends SettlementCommon {
  /** The entry's label (default `user`). */
  label?: string;
}

/** Options for {@linkcode respondSettlement}. */
export interface RespondSettlementOptions extends SettlementCommon {
  /**
   * Register the countersigned entry with the transport discovery. As in Go, a failure is only
   * logged and the handshake still succeeds; after `registerWaitMs` we answer without waiting.
   */
  register?: (signed: SignedTransportEntry) => Promise<void>;
  /** How long to wait for `register` before answering anyway, ms (default 10 s). */
  registerWaitMs?: number;
  /** Where a failed registration is logged. */
  logger?: Logger;
}

function settle<T>(options: SettlementCommon, work: () => Promise<T>): Promise<T> {
  const ms = options.timeoutMs ?? SETTLEMENT_TIMEOUT_MS;
  return withDeadline({
    ms,
    stream: options.stream,
    signal: options.signal,
    onTimeout: () => new SettlementError("timeout", `timed out after ${ms} ms`),
    closeOnError: true,
  }, work);
}

async function step<T>(name: SettlementStep, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    if (cause instanceof SettlementError) throw cause;
    throw new SettlementError(name, cause instanceof Error ? cause.message : String(cause), {
      cause,
    });
  }
}

const RESULT_MESSAGES: Record<number, string> = {
  [SettlementResult.failure]: "transport settlement rejected by remote",
  [SettlementResult.invalidEntry]: "invalid entry",
  [SettlementResult.signatureError]: "signature error",
};

/**
 * Settle as the dialer: send our signed entry (`json + "\n"` in one write), read the one-byte
 * result. Resolves to the entry we sent (signed in our slot only); throws
 * {@linkcode SettlementError} (`result` set when the peer refused) after closing the stream.
 */
export function initiateSettlement(
  options: InitiateSettlementOptions,
): Promise<SignedTransportEntry> {
  const { stream, keyPair } = options;
  return settle(options, async () => {
    const entry = makeEntry(keyPair.pk, options.remotePk, options.type, options.label);
    const signed = newSignedEntry(entry, keyPair);
    await step("write", () => writeAll(stream, encodeLine(encodeSignedEntry(signed))));
    const answer = new Uint8Array(1);
    await step("read", () => readFull(stream, answer, "settlement result"));
    if (answer[0] !== SettlementResult.ok) {
      const message = RESULT_MESSAGES[answer[0]] ?? "invalid remote response";
      throw new SettlementError("result", message, { result: answer[0] });
    }
    return signed;
  });
}

/**
 * Settle as the accepting side: read the peer's signed entry, check it against the entry we
 * expect (id, edges, type; not the label) and the peer's signature, countersign, register, and
 * answer `1`. A bad entry gets `3`, a failed countersignature `2`, as in Go. Resolves to the
 * countersigned entry; throws {@linkcode SettlementError} after closing the stream.
 */
export function respondSettlement(
  options: RespondSettlementOptions,
): Promise<SignedTransportEntry> {
  const { stream, keyPair, remotePk } = options;
  const answer = (result: number) => writeAll(stream, Uint8Array.of(result));
  return settle(options, async () => {
    const line = await step("read", () => readJsonLine(stream, MAX_HANDSHAKE_LINE, "signed entry"));
    let received: SignedTransportEntry;
    try {
      received = decodeSignedEntry(line);
      const expected = makeEntry(keyPair.pk, remotePk, options.type);
      const mismatch = entryMismatch(expected, received.entry);
      if (mismatch !== undefined) throw new Error(mismatch);
      verifyEntrySignature(received, remotePk);
    } catch (cause) {
      await answer(SettlementResult.invalidEntry).catch(() => {});
      throw new SettlementError("entry", cause instanceof Error ? cause.message : String(cause), {
        cause,
      });
    }
    let countersigned: SignedTransportEntry;
    try {
      countersigned = signEntry(received, keyPair);
    } catch (cause) {
      await answer(SettlementResult.signatureError).catch(() => {});
      throw new SettlementError("sign", "failed to sign received entry", { cause });
    }
    if (options.register) await registerBounded(options, countersigned);
    await step("write", () => answer(SettlementResult.ok));
    return countersigned;
  });
}

async function registerBounded(
  options: RespondSettlementOptions,
  signed: SignedTransportEntry,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const registration = options.register!(signed).then(
    () => true,
    (error) => {
      options.logger?.warn("failed to register transport", {
        tp_id: signed.entry.id,
        error: error instanceof Error ? error.message : String(error),
      });
      return true;
    },
  );
  const waited = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), options.registerWaitMs ?? REGISTER_WAIT_MS);
  });
  try {
    if (!(await Promise.race([registration, waited]))) {
      options.logger?.warn("transport registration still pending; settling anyway", {
        tp_id: signed.entry.id,
      });
    }
  } finally {
    clearTimeout(timer);
  }
}
