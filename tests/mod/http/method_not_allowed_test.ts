import { assertEquals } from "@std/assert";
import { Hono } from "hono";
import { answerWrongMethods, notFoundResponse } from "../../../mod/http/mod.ts";
import { call, serve } from "./_serve.ts";

Deno.test("answerWrongMethods: known paths with another method get chi's empty 405", async () => {
  const sub = new Hono();
  sub.get("/item/:id", (c) => c.text(c.req.param("id")));
  sub.post("/item/", (c) => c.text("posted"));
  const app = new Hono();
  app.use("*", async (_c, next) => await next());
  app.route("/api", sub);
  app.get("/health", (c) => c.text("up"));
  app.notFound(notFoundResponse);
  answerWrongMethods(app);
  await using server = await serve(app);
  assertEquals((await call(`${server.url}/api/item/7`)).text, "7");
  assertEquals((await call(`${server.url}/api/item/`, { method: "POST" })).text, "posted");
  for (
    const [path, method] of [
      ["/api/item/7", "DELETE"],
      ["/api/item/", "GET"],
      ["/health", "POST"],
    ]
  ) {
    const res = await call(`${server.url}${path}`, { method });
    assertEquals([res.status, res.text], [405, ""], `${method} ${path}`);
  }
  const unknown = await call(`${server.url}/api/item`);
  assertEquals([unknown.status, unknown.text], [404, "404 page not found\n"]);
  assertEquals(unknown.headers.get("content-type"), "text/plain; charset=utf-8");
});
