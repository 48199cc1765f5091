import { Reply, type ReplyCode } from "./constants.ts";

/** A connect was refused by a rule (the server answers 2, not allowed by ruleset). */
export class NotAllowedError extends Error {
  /** Create the error. */
  constructor(message = "connection not allowed by ruleset") {
    super(message);
    this.name = "NotAllowedError";
  }
}

// errno codes as Deno reports them in `error.code`, and the reply each deserves.
const BY_CODE: Readonly<Record<string, ReplyCode>> = {
  ECONNREFUSED: Reply.ConnectionRefused,
  ENETUNREACH: Reply.NetworkUnreachable,
  ENETDOWN: Reply.NetworkUnreachable,
  EHOSTUNREACH: Reply.HostUnreachable,
  EHOSTDOWN: Reply.HostUnreachable,
  EADDRNOTAVAIL: Reply.HostUnreachable,
  ETIMEDOUT: Reply.TtlExpired,
  EACCES: Reply.NotAllowed,
  EPERM: Reply.NotAllowed,
};

// Words in messages when there is no code (name resolution failures carry none in Deno).
const BY_TEXT: Array<[RegExp, ReplyCode]> = [
  [/connection refused/i, Reply.ConnectionRefused],
  [/network is unreachable/i, Reply.NetworkUnreachable],
  [/no route to host|host is unreachable/i, Reply.HostUnreachable],
  [
    /failed to lookup address|name or service not known|no address associated|dns error|nodename nor servname/i,
    Reply.HostUnreachable,
  ],
  [/timed out/i, Reply.TtlExpired],
];

/**
 * The RFC 1928 reply for a failed connect to the target: refused → 5, network unreachable → 3,
 * host unreachable or a name that does not resolve → 4, a timeout → 6 (TTL expired, the RFC's
 * nearest word for "took too long"), a rule or a permission error → 2, anything else → 1.
 * Commands (7) and address types (8) the server does not take are answered before any connect.
 */
export function replyForError(error: unknown): ReplyCode {
  if (error instanceof NotAllowedError) return Reply.NotAllowed;
  if (error instanceof Deno.errors.ConnectionRefused) return Reply.ConnectionRefused;
  if (error instanceof Deno.errors.TimedOut) return Reply.TtlExpired;
  if (error instanceof DOMException && error.name === "TimeoutError") return Reply.TtlExpired;
  if (error instanceof Deno.errors.PermissionDenied) return Reply.NotAllowed;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code in BY_CODE) return BY_CODE[code];
    for (const [pattern, reply] of BY_TEXT) if (pattern.test(e.message)) return reply;
    e = e.cause;
  }
  return Reply.GeneralFailure;
}
