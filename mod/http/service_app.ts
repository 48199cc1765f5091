/**
 * The base Hono app of a discovery service: a failed handler is logged and answered with an
 * empty 500, unknown paths get chi's 404, and {@linkcode serviceChain} runs on every request.
 *
 * @module
 */
import { type Env, Hono } from "hono";
import { notFoundResponse } from "./method_not_allowed.ts";
import { serviceChain, type ServiceChainOptions } from "./service_chain.ts";

/** A new app with the error answer, the 404 and the chain in place; routes go on it next. */
export function createServiceApp<E extends Env = Env>(options: ServiceChainOptions): Hono<E> {
  const app = new Hono<E>();
  app.onError((error, c) => {
    options.logger.error("request failed", { method: c.req.method, path: c.req.path, error });
    return new Response(null, { status: 500 });
  });
  app.notFound(notFoundResponse);
  app.use("*", ...serviceChain(options));
  return app;
}
