import { assert, assertEquals, assertRejects } from "@std/assert";
import { serveService } from "../../../mod/http/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";

Deno.test("serveService: serves, logs where, closes once and releases once after the server", async () => {
  const logger = captureLogger();
  const events: string[] = [];
  const served = await serveService({
    name: "test service",
    logger,
    fetch: () => new Response("hi"),
    fields: { store: "x.kv" },
    release: () => events.push("release"),
  });
  const res = await fetch(served.url);
  assertEquals(await res.text(), "hi");
  assertEquals(served.url, `http://127.0.0.1:${served.port}`);
  const listening = logger.lines.find((l) => l.includes("test service listening"));
  assert(listening?.includes(`addr=127.0.0.1:${served.port}`), logger.lines.join("\n"));
  assert(listening?.includes("store=x.kv"), listening);
  await Promise.all([served.close(), served.close()]);
  await served.close();
  assertEquals(events, ["release"]);
  assertEquals(logger.lines.filter((l) => l.includes("test service stopped")).length, 1);
  await assertRejects(() => fetch(served.url));
});

Deno.test("serveService: a port it cannot bind releases and throws", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const released: boolean[] = [];
  await assertRejects(() =>
    serveService({
      name: "t",
      logger: captureLogger(),
      addr: `127.0.0.1:${taken.addr.port}`,
      fetch: () => new Response(),
      release: () => released.push(true),
    })
  );
  assertEquals(released, [true]);
});
