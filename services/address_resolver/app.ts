/**
 * The address resolver's HTTP API (Go's `address-resolver` routes and answers) as a Hono app:
 * middleware chain, then one route module per resource.
 *
 * @module
 */
import type { Context } from "hono";
import { Hono } from "hono";
import {
  answerWrongMethods,
  createServiceApp,
  healthJson,
  jsonResponse,
} from "../../mod/http/mod.ts";
import {
  type HttpAuthVariables,
  keyLimitedAuth,
  nonceHandler,
  type NonceStore,
} from "../../mod/httpauth/mod.ts";
import type { ResolverMiddlewareOptions } from "./middleware.ts";
import { requesterIp } from "./remote_ip.ts";
import { bindRoutes } from "./routes/bind.ts";
import { resolveRoutes } from "./routes/resolve.ts";
import { transportRoutes } from "./routes/transports.ts";
import { AddressService } from "./service.ts";
import type { BindingStore } from "./store.ts";

/** Options for {@linkcode createAddressResolverApp} (the clock, log and limits: {@linkcode ResolverMiddlewareOptions}). */
export interface AddressResolverAppOptions extends ResolverMiddlewareOptions {
  /** Where bindings live. */
  store: BindingStore;
  /** Where httpauth nonces live. */
  nonces: NonceStore;
  /** Test mode: bind visors from any IP, loopback included. */
  testMode: boolean;
  /** Binding lifetime without a new bind, ms (0 = until unbound). */
  bindTtlMs: number;
  /** Take the requester IP from `X-Real-IP`/`X-Forwarded-For` (behind a reverse proxy only). */
  trustProxyHeaders: boolean;
  /** Largest request body in bytes; larger ones get 413. */
  maxBodyBytes: number;
  /** Start time reported by `/health`. */
  startedAt: Date;
}

/**
 * Build the app. Serve it with `Deno.serve(app.fetch)` (or `serveHttp`) so that the resolver
 * sees the requester's address.
 */
export function createAddressResolverApp(
  options: AddressResolverAppOptions,
): Hono<{ Variables: HttpAuthVariables }> {
  const log = options.logger;
  const service = new AddressService({ ...options, logger: log });
  const auth = keyLimitedAuth(options);
  const fromIp = (c: Context) => requesterIp(c, options.trustProxyHeaders);
  const app = createServiceApp<{ Variables: HttpAuthVariables }>(options);

  app.get("/security/nonces/:pk", nonceHandler(options.nonces));
  app.route(
    "/",
    bindRoutes({
      service,
      auth,
      maxBodyBytes: options.maxBodyBytes,
      requesterIp: fromIp,
      logger: log,
    }),
  );
  app.route("/", resolveRoutes({ service, auth, requesterIp: fromIp }));
  app.route("/", transportRoutes(service));
  app.get("/health", () => jsonResponse(200, healthJson(options.startedAt)));
  // chi answers a known path with the wrong method with an empty 405.
  answerWrongMethods(app);
  return app;
}
