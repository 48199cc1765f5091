import type { Hono } from "hono";
import { serveHttp } from "../../../mod/http/mod.ts";

/** `app` served by `Deno.serve` on 127.0.0.1:0, shut down on dispose. */
export interface Served extends AsyncDisposable {
  url: string;
}

/** Serve `app` on a free loopback port. */
// deno-lint-ignore no-explicit-any
export async function serve(app: Hono<any>): Promise<Served> {
  const { promise, resolve } = Promise.withResolvers<void>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => resolve() },
    app.fetch,
  );
  await promise;
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** `app` served by this project's own server (`mod/http` `serveHttp`) on 127.0.0.1:0. */
// deno-lint-ignore no-explicit-any
export async function serveOurs(app: Hono<any>): Promise<Served> {
  const service = await serveHttp({ addr: "127.0.0.1:0", fetch: app.fetch });
  return { url: service.url, [Symbol.asyncDispose]: () => service.close() };
}

/** Both servers a handler may run under, by name. */
export const SERVERS = { "Deno.serve": serve, serveHttp: serveOurs } as const;

/** A fetch that always reads the body, so no response is left open. */
export async function call(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, init);
  return { status: res.status, text: await res.text(), headers: res.headers };
}
