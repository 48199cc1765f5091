/** The SOCKS protocol version this module speaks (RFC 1928). */
export const SOCKS_VERSION = 0x05;

/** Version byte of the username/password sub-negotiation (RFC 1929). */
export const USER_PASS_VERSION = 0x01;

/** Authentication methods (RFC 1928 §3). */
export const AuthMethod = {
  /** No authentication required. */
  NoAuth: 0x00,
  /** GSSAPI (not supported here; never selected). */
  Gssapi: 0x01,
  /** Username/password (RFC 1929). */
  UserPass: 0x02,
  /** The server accepts none of the methods the client offered. */
  NoAcceptable: 0xff,
} as const;

/** Request commands (RFC 1928 §4). */
export const Command = {
  /** Open a TCP connection to the target. */
  Connect: 0x01,
  /** Accept one inbound connection (not supported here). */
  Bind: 0x02,
  /** UDP relay (not supported here). */
  UdpAssociate: 0x03,
} as const;

/** Address types (RFC 1928 §5). */
export const AddressType = {
  /** Four bytes of IPv4. */
  IPv4: 0x01,
  /** One length byte, then that many bytes of host name. */
  Domain: 0x03,
  /** Sixteen bytes of IPv6. */
  IPv6: 0x04,
} as const;

/** Reply codes (RFC 1928 §6). */
export const Reply = {
  /** Succeeded. */
  Succeeded: 0x00,
  /** General SOCKS server failure. */
  GeneralFailure: 0x01,
  /** Connection not allowed by ruleset. */
  NotAllowed: 0x02,
  /** Network unreachable. */
  NetworkUnreachable: 0x03,
  /** Host unreachable. */
  HostUnreachable: 0x04,
  /** Connection refused. */
  ConnectionRefused: 0x05,
  /** TTL expired. */
  TtlExpired: 0x06,
  /** Command not supported. */
  CommandNotSupported: 0x07,
  /** Address type not supported. */
  AddressTypeNotSupported: 0x08,
} as const;

/** One of the {@linkcode Reply} codes. */
export type ReplyCode = typeof Reply[keyof typeof Reply];

/** The RFC's words for each reply code, for logs and error messages. */
export const REPLY_TEXT: Readonly<Record<number, string>> = {
  0x00: "succeeded",
  0x01: "general SOCKS server failure",
  0x02: "connection not allowed by ruleset",
  0x03: "network unreachable",
  0x04: "host unreachable",
  0x05: "connection refused",
  0x06: "TTL expired",
  0x07: "command not supported",
  0x08: "address type not supported",
};

/** Default limit for the whole negotiation (greeting, authentication, request), ms. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 15_000;

/** Default limit for connecting to the target, ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
