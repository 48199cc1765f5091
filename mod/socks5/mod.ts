/**
 * SOCKS5 (RFC 1928) with username/password authentication (RFC 1929): the messages, a server
 * for one connection ({@linkcode serveSocks5}: CONNECT to IPv4, IPv6 and names, every reply code
 * mapped from connect errors) and the client side of a CONNECT ({@linkcode socks5Connect}).
 *
 * ```ts
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 1080 });
 * for await (const conn of listener) serveSocks5(conn, { handshakeTimeoutMs: 10_000 });
 * ```
 *
 * Every parser reads exactly the bytes its message has (lengths are single bytes, so no field
 * exceeds 255 bytes), with the whole negotiation under one time limit; bytes a client sends
 * after its request stay in the stream for the relay.
 *
 * @module
 */
export {
  encodeAddress,
  formatSocksAddress,
  ipv4Text,
  ipv6Text,
  MAX_DOMAIN_LENGTH,
  socksAddress,
} from "./address.ts";
export type { SocksAddress } from "./address.ts";
export {
  AddressType,
  AuthMethod,
  Command,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  Reply,
  REPLY_TEXT,
  SOCKS_VERSION,
  USER_PASS_VERSION,
} from "./constants.ts";
export type { ReplyCode } from "./constants.ts";
export {
  Socks5Error,
  Socks5ProtocolError,
  Socks5ReplyError,
  Socks5TimeoutError,
} from "./errors.ts";
export {
  encodeGreeting,
  encodeMethodSelection,
  encodeReply,
  encodeRequest,
  encodeUserPass,
  encodeUserPassStatus,
  readGreeting,
  readMethodSelection,
  readReply,
  readRequest,
  readUserPass,
  readUserPassStatus,
} from "./messages.ts";
export type { Greeting, SocksReply, SocksRequest, UserPassRequest } from "./messages.ts";
export { NotAllowedError, replyForError } from "./reply_for_error.ts";
export { dialTcp, serveSocks5 } from "./server.ts";
export type { DialedTarget, Socks5Outcome, Socks5ServerOptions } from "./server.ts";
export { socks5Connect } from "./client.ts";
export type { Socks5ConnectOptions } from "./client.ts";
export { ReadDeadline, readExact } from "./read_deadline.ts";
