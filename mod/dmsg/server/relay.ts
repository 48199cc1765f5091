import type { PubKey } from "../../cipher/mod.ts";
import { MAX_SESSION_OBJECT_LENGTH } from "../constants.ts";
import type { StreamEndpoint } from "../endpoint.ts";
import { DmsgError, DmsgErrorCode } from "../errors.ts";
import { isExpectedFailure } from "../expected_errors.ts";
import type { DmsgSession } from "../session.ts";
import {
  checkStreamResponseSignature,
  matchStreamResponse,
  type VerifiedStreamRequest,
  verifyStreamRequest,
} from "../signed_object.ts";
import type { Logger } from "../../log/mod.ts";
import { splice, type Stream } from "../../yamux/mod.ts";

// Relayed streams are spliced (yamux to yamux, no copy buffers); a stream that could not be
// would copy through a buffer this big per direction.
const RELAY_BUFFER_SIZE = 16 * 1024;
// Until its request is read, a stream may hold no more than the largest request (with its
// 2-byte length); after it, nothing until the response is back: a dialer has no keys to send
// with before then, so bytes it pushes early would only sit in our buffers (up to the 256 KiB
// yamux window per stream) while a silent destination keeps the stream waiting.
const REQUEST_LIMIT = 2 + MAX_SESSION_OBJECT_LENGTH;

/** What the relay needs from the server. */
export interface RelayContext {
  /** The server's key: requests to it are answered locally. */
  pk: PubKey;
  /** Answers streams addressed to the server itself. */
  endpoint: StreamEndpoint;
  /** The live client session of `pk`, if any. */
  clientSession(pk: PubKey): DmsgSession | undefined;
  /**
   * Resolves once `pk`'s session, if it is still being accepted, has had time to register
   * (look it up again after). Absent: no waiting.
   */
  sessionArriving?(pk: PubKey): Promise<void>;
  /** Live links to peer servers, the one whose key is `preferred` first. */
  peerLinks(preferred: PubKey): DmsgSession[];
  /** Whole stream handshake limit, ms. */
  handshakeTimeoutMs: number;
  /** One debug line per stream. */
  logger?: Logger;
  /** Called once a stream is answered and its bytes start flowing (for counters). */
  onPiping?(delta: 1 | -1): void;
}

interface Forwarded {
  stream: Stream;
  response: Uint8Array;
  accepted: boolean;
  /** Whether the destination's signature is checked yet. */
  signed: boolean;
}

/**
 * Serve one stream a session opened to the server (Go `ServerSession.serveStream`): read and
 * verify the request (signed by its source; from a client session the source must be that
 * client), then answer it ourselves when it is for our key, or forward it to the destination's
 * session, or (only when it did not come from a peer) one hop to a peer server; relay the
 * signed response back (re-encrypted for this session) and then splice the two streams, bytes
 * passing both ways without being decrypted; `handshakeDone` is called then. Any failure ends the stream without a
 * response; so do bytes the dialer sends past its request before it has the response.
 * Never throws.
 */
export async function relayStream(
  context: RelayContext,
  source: DmsgSession,
  inner: Stream,
  fromPeer: boolean,
  handshakeDone?: () => void,
): Promise<void> {
  const log = context.logger;
  let next: Stream | undefined;
  let expired = false;
  let pushedEarly = false;
  const timer = setTimeout(() => {
    expired = true;
    inner.reset();
    next?.reset();
  }, context.handshakeTimeoutMs);
  // The limit resets `inner`; the destination's stream goes too, so nothing waits for it.
  const early = () => {
    pushedEarly = true;
    next?.reset();
  };
  inner.setReceiveLimit(REQUEST_LIMIT, early);
  let forwarded: Forwarded | undefined;
  try {
    const signed = await source.readObject(inner);
    if (signed === null) {
      inner.close();
      return;
    }
    inner.setReceiveLimit(0, early);
    const verified = verifyStreamRequest(signed);
    const { request } = verified;
    if (!fromPeer && !request.SrcAddr.PK.equals(source.remotePk)) {
      throw new DmsgError(DmsgErrorCode.requestInvalidSrcPk);
    }
    if (request.DstAddr.PK.equals(context.pk)) {
      // The server's own listener reads the stream from here on, as any client does.
      inner.setReceiveLimit(Infinity);
      await context.endpoint.answer(
        verified,
        inner,
        (object) => source.writeObject(inner, object),
        context.pk,
      );
      return;
    }
    const candidates: DmsgSession[] = [];
    let local = context.clientSession(request.DstAddr.PK);
    if (!local && context.sessionArriving) {
      // The destination may have finished its handshake with us a moment ago and count its
      // session as up; refusing it now would fail a dial that is about to work.
      await context.sessionArriving(request.DstAddr.PK);
      if (expired || pushedEarly) throw new DmsgError(DmsgErrorCode.requestNoNextSession);
      local = context.clientSession(request.DstAddr.PK);
    }
    if (local) candidates.push(local);
    // A request that came from a peer is never forwarded again: one hop, no loops.
    else if (!fromPeer) candidates.push(...context.peerLinks(request.DstAddr.PK));
    const expose = (stream: Stream) => {
      next = stream;
      if (pushedEarly) stream.reset();
    };
    for (const session of candidates) {
      forwarded = await forward(session, verified, expose, log, session === local);
      if (forwarded || pushedEarly) break;
    }
    if (!forwarded || pushedEarly) throw new DmsgError(DmsgErrorCode.requestNoNextSession);
    inner.setReceiveLimit(Infinity);
    await source.writeObject(inner, forwarded.response);
    if (!forwarded.signed) {
      // Checked while the response is on its way: the dialer checks it too, so meanwhile it
      // goes on with its side of the open. A bad one still ends both streams, with a reset.
      try {
        checkStreamResponseSignature(forwarded.response, verified);
      } catch (error) {
        log?.debug("stream refused", { error });
        inner.reset();
        forwarded.stream.reset();
        return;
      }
    }
    if (!forwarded.accepted) {
      inner.close();
      forwarded.stream.close();
      return;
    }
  } catch (error) {
    if (!expired && !isExpectedFailure(error)) {
      log?.error("unexpected error relaying a stream", { error });
    } else {
      log?.debug("stream refused", {
        error: expired
          ? "stream handshake timed out"
          : pushedEarly
          ? "dialer sent bytes before its answer"
          : error,
      });
    }
    if (expired) inner.reset();
    else inner.close();
    forwarded?.stream.reset();
    if (!forwarded) next?.reset();
    return;
  } finally {
    clearTimeout(timer);
  }
  handshakeDone?.();
  context.onPiping?.(1);
  try {
    const moved = await splice(inner, forwarded.stream, { bufferSize: RELAY_BUFFER_SIZE });
    log?.debug("stream relayed", { up: moved.aToB, down: moved.bToA });
  } finally {
    context.onPiping?.(-1);
  }
}

// Send the signed request on a new stream of `session` and read its answer. Resolves undefined
// when that session cannot take it (stream refused or ended without an answer). The answer of
// the destination's own session (`destination`, authenticated by its handshake) has its
// signature checked by the caller once it is on its way; a peer server's, at once, so that a
// bad one leaves the next peer to try.
async function forward(
  session: DmsgSession,
  request: VerifiedStreamRequest,
  expose: (stream: Stream) => void,
  log: Logger | undefined,
  destination: boolean,
): Promise<Forwarded | undefined> {
  let stream: Stream;
  try {
    stream = await session.open({ lazy: true }); // the SYN goes out with the request
  } catch {
    return undefined;
  }
  expose(stream);
  try {
    await session.writeObject(stream, request.signed);
    const response = await session.readObject(stream);
    if (response === null) {
      stream.close();
      return undefined;
    }
    // A refusal signed by the destination goes back to the dialer too: it names the reason.
    const { Accepted } = matchStreamResponse(response, request);
    if (!destination) checkStreamResponseSignature(response, request);
    return { stream, response, accepted: Accepted, signed: !destination };
  } catch (error) {
    log?.debug("forwarded request failed", { next: session.remotePk.hex(), error });
    stream.reset();
    return undefined;
  }
}
