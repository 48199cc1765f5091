import { type ByteStream, connectTcp, pipe, writeAll } from "../conn/mod.ts";
import type { Logger } from "../log/mod.ts";
import { formatSocksAddress, type SocksAddress, socksAddress } from "./address.ts";
import {
  AuthMethod,
  Command,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  Reply,
  REPLY_TEXT,
} from "./constants.ts";
import {
  encodeMethodSelection,
  encodeReply,
  encodeUserPassStatus,
  readGreeting,
  readRequest,
  readUserPass,
} from "./messages.ts";
import { NotAllowedError, replyForError } from "./reply_for_error.ts";
import { ReadDeadline } from "./read_deadline.ts";

/** A connection to a target, as {@linkcode Socks5ServerOptions.dial} returns it. */
export interface DialedTarget extends ByteStream {
  /** Our end of it, reported to the client as BND.ADDR/BND.PORT when it is a network address. */
  readonly localAddr?: Deno.Addr;
}

/** Options for {@linkcode serveSocks5}. */
export interface Socks5ServerOptions {
  /**
   * Check a username and password (RFC 1929). When set, only username/password authentication
   * is offered; when not, only "no authentication".
   */
  authenticate?: (username: string, password: string) => boolean | Promise<boolean>;
  /** Decide whether a target may be reached; `false` is answered with 2 (not allowed). */
  allow?: (target: SocksAddress) => boolean | Promise<boolean>;
  /** Connect to a target (default: TCP with `Deno.connect`). Aborting `signal` must stop it. */
  dial?: (target: SocksAddress, signal: AbortSignal) => Promise<DialedTarget>;
  /** Limit for greeting, authentication and request together, ms (default 15 000). */
  handshakeTimeoutMs?: number;
  /** Limit for the connect to the target, ms (default 30 000). */
  connectTimeoutMs?: number;
  /** Aborting closes the connection (and the target) wherever it is. */
  signal?: AbortSignal;
  /** Receives one debug line per connection outcome. */
  logger?: Logger;
}

/** How one SOCKS5 connection ended. */
export interface Socks5Outcome {
  /** The reply code sent, or `undefined` when the connection closed before any reply. */
  reply?: number;
  /** The requested target, once read. */
  target?: SocksAddress;
  /** What went wrong, if anything (protocol errors, timeouts, connect failures). */
  error?: Error;
  /** Bytes relayed from the client to the target. */
  bytesToTarget: number;
  /** Bytes relayed from the target to the client. */
  bytesFromTarget: number;
}

/** TCP connect for a target; the connection has Nagle off (SOCKS carries interactive traffic). */
export async function dialTcp(target: SocksAddress, signal: AbortSignal): Promise<DialedTarget> {
  return await connectTcp({ hostname: target.host, port: target.port, signal });
}

// Host names the resolver is asked about: printable ASCII, no spaces (anything else cannot be
// a DNS name and must not reach getaddrinfo).
const HOST_NAME = /^[\x21-\x7e]{1,255}$/;

function closeQuietly(stream: ByteStream | undefined): void {
  try {
    stream?.close();
  } catch {
    // Already closed: nothing left to release.
  }
}

function bindAddress(target: DialedTarget): SocksAddress | undefined {
  const addr = target.localAddr;
  if (!addr || addr.transport !== "tcp") return undefined;
  return socksAddress(addr.hostname, addr.port);
}

/**
 * Serve one SOCKS5 connection (RFC 1928, with RFC 1929 username/password): negotiate, read the
 * request, CONNECT to the target and relay bytes both ways until both sides end. Only CONNECT
 * is served (BIND and UDP ASSOCIATE get 7); IPv4, IPv6 and names are accepted (another address
 * type gets 8). Failed connects get the reply {@linkcode replyForError} picks.
 *
 * Every read of the negotiation is bounded by `handshakeTimeoutMs`; malformed input closes the
 * connection (with the RFC's reply where it names one). Never throws; `conn` (and the target)
 * are closed when it resolves.
 */
export async function serveSocks5(
  conn: ByteStream,
  options: Socks5ServerOptions = {},
): Promise<Socks5Outcome> {
  const outcome: Socks5Outcome = { bytesToTarget: 0, bytesFromTarget: 0 };
  const log = options.logger;
  let target: DialedTarget | undefined;
  const onAbort = () => {
    closeQuietly(conn);
    closeQuietly(target);
  };
  if (options.signal?.aborted) {
    closeQuietly(conn);
    outcome.error = new Error("aborted");
    return outcome;
  }
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const deadline = new ReadDeadline(
    conn,
    options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
  );
  const reply = async (code: number, bind?: SocksAddress) => {
    outcome.reply = code;
    await writeAll(conn, encodeReply(code, bind));
  };
  try {
    const greeting = await readGreeting(conn, deadline);
    const wanted = options.authenticate ? AuthMethod.UserPass : AuthMethod.NoAuth;
    if (!greeting.methods.includes(wanted)) {
      await writeAll(conn, encodeMethodSelection(AuthMethod.NoAcceptable));
      throw new Error("no acceptable authentication method offered");
    }
    await writeAll(conn, encodeMethodSelection(wanted));
    if (options.authenticate) {
      const credentials = await readUserPass(conn, deadline);
      const ok = await options.authenticate(credentials.username, credentials.password);
      await writeAll(conn, encodeUserPassStatus(ok));
      if (!ok) throw new Error("authentication failed");
    }
    const request = await readRequest(conn, deadline);
    deadline.clear();
    if (!request.address) {
      await reply(Reply.AddressTypeNotSupported);
      throw new Error(`address type ${request.addressType} not supported`);
    }
    outcome.target = request.address;
    if (request.command !== Command.Connect) {
      await reply(Reply.CommandNotSupported);
      throw new Error(`command ${request.command} not supported`);
    }
    if (request.address.type === "domain" && !HOST_NAME.test(request.address.host)) {
      await reply(Reply.HostUnreachable);
      throw new Error("host name is not printable ASCII");
    }
    if (options.allow && !(await options.allow(request.address))) {
      await reply(Reply.NotAllowed);
      throw new NotAllowedError();
    }
    const timeout = AbortSignal.timeout(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    try {
      target = await (options.dial ?? dialTcp)(request.address, signal);
    } catch (error) {
      const cause = signal.aborted && timeout.aborted ? timeout.reason : error;
      await reply(replyForError(cause));
      throw cause;
    }
    if (options.signal?.aborted) throw new Error("aborted");
    await reply(Reply.Succeeded, bindAddress(target));
    const moved = await pipe(conn, target);
    outcome.bytesToTarget = moved.aToB;
    outcome.bytesFromTarget = moved.bToA;
  } catch (error) {
    outcome.error = error instanceof Error ? error : new Error(String(error));
  } finally {
    deadline.clear();
    options.signal?.removeEventListener("abort", onAbort);
    closeQuietly(conn);
    closeQuietly(target);
  }
  if (log) {
    log.debug("socks5 connection done", {
      target: outcome.target ? formatSocksAddress(outcome.target) : undefined,
      reply: outcome.reply === undefined ? undefined : REPLY_TEXT[outcome.reply],
      error: outcome.error?.message,
      up: outcome.bytesToTarget,
      down: outcome.bytesFromTarget,
    });
  }
  return outcome;
}
