import type { Hono } from "hono";

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

/** A fetch that always reads the body, so no response is left open. */
export async function call(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, init);
  return { status: res.status, text: await res.text(), headers: res.headers };
}
