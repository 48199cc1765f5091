/**
 * dmsg HTTP: plain HTTP/1.1 on dmsg streams (port 80 by convention), as Go's `dmsghttp`.
 *
 * - {@linkcode serveHttp}: serve a `DmsgListener` (or any listener of byte streams) with a
 *   Fetch-style handler (`Request` in, `Response` out; a Hono app's `fetch` fits).
 * - {@linkcode dmsgFetch}: fetch a `dmsg://PK:PORT/path` URL through a `DmsgClient`.
 * - {@linkcode healthApp}: the `/health` endpoint every dmsg server and visor serves on port 80;
 *   {@linkcode serveClientHealth} and {@linkcode serveServerHealth} serve it on their own key.
 *
 * The HTTP/1.1 codec is our own, in-process: bounded heads, Content-Length, chunked and
 * read-until-close bodies, keep-alive, header/idle/progress timeouts, and typed errors
 * ({@linkcode HttpParseError}) for malformed input.
 *
 * @module
 */
export {
  BUFFERED_BODY_BYTES,
  DEFAULT_MAX_HEADER_BYTES,
  DMSG_HTTP_PORT,
  MAX_CHUNK_LINE_BYTES,
  MAX_DISCARD_BYTES,
} from "./constants.ts";
export { DmsgUrlError, HttpParseError, HttpTimeoutError } from "./errors.ts";
export {
  contentLength,
  parseRequestHead,
  parseResponseHead,
  requestFraming,
  responseFraming,
} from "./head.ts";
export type { BodyFraming, HttpVersion, RequestHead, ResponseHead } from "./head.ts";
export { serveHttpConnection } from "./server.ts";
export { bytesOf, bytesResponse } from "./bytes_response.ts";
export { readRequestBody } from "./request_body.ts";
export type {
  ConnectionControl,
  HttpConnectionInfo,
  HttpConnectionOptions,
  HttpHandler,
  HttpShortcut,
  ShortAnswer,
} from "./server.ts";
export { serveHttp } from "./serve.ts";
export type { HttpServer, HttpStreamListener, ServeHttpOptions } from "./serve.ts";
export { DmsgResponse, HttpClientConnection } from "./client_connection.ts";
export type { HttpClientConnectionOptions, HttpRequestOptions } from "./client_connection.ts";
export { dmsgFetch, parseDmsgUrl } from "./fetch.ts";
export type { DmsgFetchInit, DmsgStreamDialer, DmsgUrl } from "./fetch.ts";
export { statusText } from "./status.ts";
export { healthApp, serveClientHealth, serveServerHealth } from "./health.ts";
export type {
  HealthAppOptions,
  HealthClient,
  HealthEndpoint,
  HealthServer,
  HealthSessions,
  ServeHealthOptions,
} from "./health.ts";
