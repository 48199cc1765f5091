import { assertEquals } from "@std/assert";
import { serveHttp } from "../../../mod/http/mod.ts";

Deno.test("serveHttp serves on a free port and close() returns within the grace time", async () => {
  const { promise: stuck, resolve: release } = Promise.withResolvers<void>();
  const service = await serveHttp({
    addr: "127.0.0.1:0",
    graceMs: 200,
    fetch: async (req, info) => {
      if (new URL(req.url).pathname === "/hang") await stuck;
      return new Response(info.remoteAddr.hostname);
    },
  });
  assertEquals(service.url, `http://127.0.0.1:${service.port}`);
  assertEquals(await (await fetch(`${service.url}/`)).text(), "127.0.0.1");
  const hanging = fetch(`${service.url}/hang`).then((r) => r.text()).catch(() => "");
  await new Promise((r) => setTimeout(r, 50));
  const started = Date.now();
  await service.close();
  await service.close();
  assertEquals(Date.now() - started < 2_000, true);
  release();
  await hanging;
});

Deno.test("serveHttp on a taken port names the address", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const addr = `127.0.0.1:${(taken.addr as Deno.NetAddr).port}`;
  const error = await serveHttp({ addr, fetch: () => new Response() }).catch((e) => e);
  assertEquals(error instanceof Deno.errors.AddrInUse, true);
  assertEquals(error.message, `cannot listen on ${addr}: address already in use`);
});
