import { type ByteStream, concatBytes, writeAll } from "../conn/mod.ts";
import type { SocksAddress } from "./address.ts";
import { AuthMethod, Command, DEFAULT_HANDSHAKE_TIMEOUT_MS, REPLY_TEXT } from "./constants.ts";
import { Socks5Error, Socks5ReplyError } from "./errors.ts";
import {
  encodeGreeting,
  encodeRequest,
  encodeUserPass,
  readMethodSelection,
  readReply,
  readUserPassStatus,
  type SocksReply,
} from "./messages.ts";
import { ReadDeadline } from "./read_deadline.ts";

/** Options for {@linkcode socks5Connect}. */
export interface Socks5ConnectOptions {
  /** Username/password (RFC 1929); without them only "no authentication" is offered. */
  credentials?: { username: string; password: string };
  /** Limit for the whole negotiation, ms (default 15 000); the stream is closed when it passes. */
  timeoutMs?: number;
}

/**
 * The client side of a SOCKS5 CONNECT over `stream` (already connected to the proxy): greet,
 * authenticate if asked, request `target`. Resolves the proxy's success reply; from then on
 * `stream` carries the target's bytes. A failure reply throws {@linkcode Socks5ReplyError};
 * the caller owns `stream` either way. Greeting, credentials and request go out in one write
 * when no authentication is used, so a proxy far away costs one round trip.
 */
export async function socks5Connect(
  stream: ByteStream,
  target: SocksAddress,
  options: Socks5ConnectOptions = {},
): Promise<SocksReply> {
  const deadline = new ReadDeadline(stream, options.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
  try {
    const method = options.credentials ? AuthMethod.UserPass : AuthMethod.NoAuth;
    const request = encodeRequest(Command.Connect, target);
    if (options.credentials) {
      await writeAll(stream, encodeGreeting([method]));
    } else {
      await writeAll(stream, concatBytes([encodeGreeting([method]), request]));
    }
    const selected = await readMethodSelection(stream, deadline);
    if (selected.method !== method) {
      throw new Socks5Error(`proxy selected method ${selected.method}, offered ${method}`);
    }
    if (options.credentials) {
      const { username, password } = options.credentials;
      await writeAll(stream, encodeUserPass(username, password));
      const status = await readUserPassStatus(stream, deadline);
      if (!status.ok) throw new Socks5Error("proxy rejected the username/password");
      await writeAll(stream, request);
    }
    const reply = await readReply(stream, deadline);
    if (reply.code !== 0) {
      throw new Socks5ReplyError(
        reply.code,
        `proxy replied ${reply.code} (${REPLY_TEXT[reply.code] ?? "unknown code"})`,
      );
    }
    return reply;
  } finally {
    deadline.clear();
  }
}
