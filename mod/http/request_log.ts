/**
 * One log line per answered request: method, path, status and remote, at debug level, or warn
 * for a 5xx so that server faults show at the default level.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "../log/mod.ts";
import { remoteIp } from "./rate_limit.ts";

/** Options for {@linkcode requestLog}. */
export interface RequestLogOptions {
  /** Where the lines go. */
  logger: Logger;
  /** How the remote is named (default {@linkcode remoteIp}). */
  remote?: (c: Context) => string;
}

/** Middleware that logs each request after it has been answered. */
export function requestLog(options: RequestLogOptions): MiddlewareHandler {
  const remoteOf = options.remote ?? remoteIp;
  return async (c, next) => {
    await next();
    const status = c.res.status;
    const level = status >= 500 ? "warn" : "debug";
    // Below the logger's level the line's fields (the URL parsed for its path) are not built.
    if (!options.logger.enabled(level)) return;
    const fields = { method: c.req.method, path: c.req.path, status, remote: remoteOf(c) };
    options.logger[level]("request", fields);
  };
}
