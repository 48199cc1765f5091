import { type ByteStream, pipe, writeAll } from "../../../mod/conn/mod.ts";
import type { Logger } from "../../../mod/log/mod.ts";
import {
  AuthMethod,
  Command,
  encodeMethodSelection,
  encodeReply,
  encodeUserPassStatus,
  type Greeting,
  ReadDeadline,
  readGreeting,
  readMethodSelection,
  readRequest,
  readUserPass,
  readUserPassStatus,
  Reply,
  Socks5ProtocolError,
  type SocksRequest,
} from "../../../mod/socks5/mod.ts";
import type { Session, Stream } from "../../../mod/yamux/mod.ts";
import { STATUS_HOST } from "./constants.ts";
import type { SessionKeeper } from "./session_keeper.ts";
import { type ClientStatus, serveStatusPage } from "./status_page.ts";

/** What {@linkcode relayConnection} needs from the client. */
export interface RelayContext {
  /** The session to the server. */
  keeper: SessionKeeper;
  /** How long a request waits for a session, ms. */
  requestWaitMs: number;
  /** How long the exit may take to answer the greeting, ms. */
  exitReplyTimeoutMs: number;
  /** The local client's negotiation limit, ms. */
  handshakeTimeoutMs: number;
  /** The state for the status page. */
  status: () => ClientStatus;
  /** Counts a request answered "network unreachable" for want of a session. */
  onUnreachable: () => void;
  /** Where it logs. */
  logger?: Logger;
}

/** How {@linkcode relayConnection} ended. */
export type RelayOutcome = "relayed" | "status" | "unreachable" | "refused" | "failed";

function isStatusRequest(request: SocksRequest): boolean {
  const address = request.address;
  return request.command === Command.Connect && address?.type === "domain" &&
    address.host.toLowerCase().replace(/\.$/, "") === STATUS_HOST;
}

// Opens a stream on a live session and has the exit answer the greeting there. A session that
// does not answer in time is passed over (and pinged at once) for the next one, until the
// request's wait is used up; `undefined` then, and the request is answered locally.
async function openAtExit(
  greeting: Greeting,
  ctx: RelayContext,
): Promise<{ stream: Stream; method: Uint8Array } | undefined> {
  const end = performance.now() + ctx.requestWaitMs;
  let exclude: Session | undefined;
  for (;;) {
    const session = await ctx.keeper.waitSession(end - performance.now(), exclude);
    if (!session) return undefined;
    let stream: Stream | undefined;
    const limit = Math.max(1, Math.min(ctx.exitReplyTimeoutMs, end - performance.now()));
    const deadline = new ReadDeadline({ close: () => stream?.close() }, limit);
    try {
      stream = await session.open();
      if (deadline.expired) throw new Error("opening a stream took the whole wait");
      await writeAll(stream, greeting.raw);
      const selection = await readMethodSelection(stream, deadline);
      return { stream, method: selection.raw };
    } catch (error) {
      stream?.close();
      if (error instanceof Socks5ProtocolError) throw error; // the exit speaks nonsense
      exclude = session;
      ctx.keeper.suspect(session);
      ctx.logger?.debug("the exit did not answer on this session, trying the next", {
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      deadline.clear();
    }
  }
}

// No session: negotiate ourselves, then answer the status page or "network unreachable".
async function answerLocally(
  conn: ByteStream,
  greeting: Greeting,
  deadline: ReadDeadline,
  ctx: RelayContext,
): Promise<RelayOutcome> {
  const offered = greeting.methods;
  const method = offered.includes(AuthMethod.NoAuth)
    ? AuthMethod.NoAuth
    : offered.includes(AuthMethod.UserPass)
    ? AuthMethod.UserPass
    : AuthMethod.NoAcceptable;
  await writeAll(conn, encodeMethodSelection(method));
  if (method === AuthMethod.NoAcceptable) return "refused";
  if (method === AuthMethod.UserPass) {
    // Only the exit can check credentials; nothing is relayed from here, so let them pass.
    await readUserPass(conn, deadline);
    await writeAll(conn, encodeUserPassStatus(true));
  }
  const request = await readRequest(conn, deadline);
  deadline.clear();
  if (isStatusRequest(request)) {
    await serveStatusPage(conn, ctx.status());
    return "status";
  }
  await writeAll(conn, encodeReply(Reply.NetworkUnreachable));
  ctx.onUnreachable();
  return "unreachable";
}

/**
 * Serve one local SOCKS connection through the session (Go 2026 skysocks-client): the greeting
 * goes to the exit unchanged and its answer back, username/password likewise, and the request
 * is read here so a CONNECT to `status.skysocks` is answered in-process; any other request is
 * forwarded byte for byte and the bytes relayed. Without a session within `requestWaitMs` the
 * request gets "network unreachable" (3) from us. Never throws; closes `conn`.
 */
export async function relayConnection(conn: ByteStream, ctx: RelayContext): Promise<RelayOutcome> {
  const deadline = new ReadDeadline(conn, ctx.handshakeTimeoutMs);
  let stream: Stream | undefined;
  try {
    const greeting = await readGreeting(conn, deadline);
    const opened = await openAtExit(greeting, ctx);
    if (!opened) return await answerLocally(conn, greeting, deadline, ctx);
    stream = opened.stream;
    await writeAll(conn, opened.method);
    const method = opened.method[1];
    if (method === AuthMethod.NoAcceptable) return "refused";
    if (method === AuthMethod.UserPass) {
      const credentials = await readUserPass(conn, deadline);
      await writeAll(stream, credentials.raw);
      const exitDeadline = new ReadDeadline(stream, ctx.exitReplyTimeoutMs);
      try {
        const status = await readUserPassStatus(stream, exitDeadline);
        await writeAll(conn, status.raw);
        if (!status.ok) return "refused";
      } finally {
        exitDeadline.clear();
      }
    } else if (method !== AuthMethod.NoAuth) {
      // A method we do not read: the rest is between the client and the exit.
      deadline.clear();
      await pipe(conn, stream);
      return "relayed";
    }
    const request = await readRequest(conn, deadline);
    if (isStatusRequest(request)) {
      stream.close();
      deadline.clear();
      await serveStatusPage(conn, ctx.status());
      return "status";
    }
    await writeAll(stream, request.raw);
    deadline.clear();
    await pipe(conn, stream);
    return "relayed";
  } catch (error) {
    ctx.logger?.debug("local SOCKS connection failed", {
      error: error instanceof Error ? error.message : String(error),
    });
    return "failed";
  } finally {
    deadline.clear();
    stream?.close();
    try {
      conn.close();
    } catch {
      // Closed already (pipe closes both ends).
    }
  }
}
