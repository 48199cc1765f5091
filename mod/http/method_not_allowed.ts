/**
 * chi's answers for requests no route takes: an empty 405 for a known path asked with another
 * method, `404 page not found` for an unknown path. Go services answer so; clients and tests
 * that talk to both see the same.
 *
 * @module
 */
import type { Env, Hono, Schema } from "hono";

/**
 * Add a 405 route for every path `app` has a route for. Call it last, after every route module
 * is mounted, so that the paths are listed once (in their routes) and the 405s follow them.
 */
export function answerWrongMethods<E extends Env, S extends Schema, B extends string>(
  app: Hono<E, S, B>,
): void {
  const paths = new Set<string>();
  for (const route of app.routes) {
    // Middleware (`use`) is registered under method "ALL"; it is not a route.
    if (route.method !== "ALL") paths.add(route.path);
  }
  for (const path of paths) app.all(path, () => new Response(null, { status: 405 }));
}

/** chi's 404 answer, for `app.notFound`. */
export function notFoundResponse(): Response {
  return new Response("404 page not found\n", {
    status: 404,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}
