/** The dmsg port of dmsg HTTP (Go `skyenv.DmsgHTTPPort`): every Skywire service serves there. */
export const DMSG_HTTP_PORT = 80;

/**
 * Largest request or response head accepted, in bytes. Go's default is 1 MiB
 * (`http.DefaultMaxHeaderBytes`); dmsg services send heads of a few hundred bytes, and a small
 * board should not hold a megabyte per connection for a misbehaving peer.
 */
export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;

/** Longest chunk-size line (with extensions), as Go's chunked reader (`maxLineLength`). */
export const MAX_CHUNK_LINE_BYTES = 4096;

/**
 * Unread request body a server discards to keep a connection alive; a larger rest closes the
 * connection instead (Go's `maxPostHandlerReadBytes`, 256 KiB).
 */
export const MAX_DISCARD_BYTES = 256 * 1024;

/** Response bodies up to this size are sent with a Content-Length; larger ones are chunked. */
export const BUFFERED_BODY_BYTES = 64 * 1024;

/** Size of each body read from the stream. */
export const BODY_CHUNK_BYTES = 64 * 1024;
