/**
 * Building blocks for the Hono apps of the services: small middlewares (per-key rate limit,
 * bounded bodies, request log) and Go-compatible answers (JSON messages, chi's 404/405).
 *
 * @module
 */
export {
  DEFAULT_MAX_RATE_LIMIT_KEYS,
  RATE_LIMITED_ANSWER,
  rateLimit,
  rateLimitedResponse,
  RateLimiter,
  remoteIp,
} from "./rate_limit.ts";
export type { RateLimitMiddlewareOptions, RateLimitOptions } from "./rate_limit.ts";
export {
  BodyIncompleteError,
  bodyIncompleteResponse,
  bodyLimit,
  BodyTooLargeError,
  bodyTooLargeResponse,
  readBody,
} from "./body_limit.ts";
export type { BodyLimitOptions, BodyVariables } from "./body_limit.ts";
export { requestLog } from "./request_log.ts";
export type { RequestLogOptions } from "./request_log.ts";
export { serviceChain } from "./service_chain.ts";
export type { ServiceChainOptions } from "./service_chain.ts";
export { createServiceApp } from "./service_app.ts";
export { goJsonString, jsonResponse, messageBytes, messageResponse } from "./json.ts";
export { answerWrongMethods, notFoundResponse } from "./method_not_allowed.ts";
export { DEFAULT_HTTP_LIMITS, serveHttp } from "./serve.ts";
export type { HttpLimits, HttpService, ServeHttpOptions } from "./serve.ts";
export { serveService } from "./serve_service.ts";
export type { ServedService, ServeServiceOptions } from "./serve_service.ts";
export { healthJson } from "./health.ts";
