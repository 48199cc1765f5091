import { assertEquals, assertRejects } from "@std/assert";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import {
  NoRouteError,
  parseRoutes,
  pathEdgesKey,
  RouteDialError,
  RouteFinderClient,
} from "../../../mod/router/mod.ts";

// A route finder on 127.0.0.1:0 answering with `answer` and recording the request body.
async function withFinder(
  answer: (body: unknown) => Response | Promise<Response>,
  run: (url: string, bodies: unknown[]) => Promise<void>,
): Promise<void> {
  const bodies: unknown[] = [];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const body = await req.json();
      bodies.push({ method: req.method, path: new URL(req.url).pathname, body });
      return await answer(body);
    },
  );
  await run(`http://127.0.0.1:${server.addr.port}/`, bodies);
}

const a = generateKeyPair().pk, b = generateKeyPair().pk;
const tp = "0d9a0d1c-3f52-0f8a-9a5a-3c6f0b1e2d3c";

Deno.test("RouteFinderClient sends Go's request and parses Go's answer", async () => {
  const answer = {
    [`${a.hex()}:${b.hex()}`]: [[{ TpID: tp, From: a.hex(), To: b.hex() }]],
    [`${b.hex()}:${a.hex()}`]: [[{ TpID: tp.toUpperCase(), From: b.hex(), To: a.hex() }]],
  };
  await withFinder(() => Response.json(answer), async (url, bodies) => {
    const client = new RouteFinderClient({ url });
    const paths = await client.findRoutes([[a, b], [b, a]], { minHops: 2 });
    assertEquals(bodies, [{
      method: "POST",
      path: "/routes",
      body: {
        Edges: [`${a.hex()}:${b.hex()}`, `${b.hex()}:${a.hex()}`],
        Opts: { MinHops: 2, MaxHops: 50 },
      },
    }]);
    const back = paths.get(pathEdgesKey([b, a]))!;
    assertEquals(back[0][0].TpID, tp, "uuid text is lowercased");
    assertEquals(back[0][0].From.hex(), b.hex());
  });
});

Deno.test("RouteFinderClient: 404 is no route, other statuses carry Go's message", async () => {
  await withFinder(() => new Response("", { status: 404 }), async (url) => {
    await assertRejects(() => new RouteFinderClient({ url }).findRoutes([[a, b]]), NoRouteError);
  });
  await withFinder(
    () => Response.json({ error: { message: "min hops > max hops", code: 400 } }, { status: 400 }),
    async (url) => {
      await assertRejects(
        () => new RouteFinderClient({ url }).findRoutes([[a, b]]),
        RouteDialError,
        "status 400: min hops > max hops",
      );
    },
  );
  await withFinder(
    () => new Promise<Response>((resolve) => setTimeout(() => resolve(Response.json({})), 500)),
    async (url) => {
      await assertRejects(
        () => new RouteFinderClient({ url, timeoutMs: 50 }).findRoutes([[a, b]]),
        RouteDialError,
        "timed out",
      );
    },
  );
  await assertRejects(
    () => new RouteFinderClient({ url: "http://127.0.0.1:1" }).findRoutes([[a, b]]),
    RouteDialError,
  );
});

Deno.test("parseRoutes refuses malformed answers with a typed error", () => {
  for (
    const text of [
      "",
      "[]",
      '{"x": 1}',
      '{"x": [1]}',
      '{"x": [[{"TpID": "nope", "From": "00", "To": "00"}]]}',
      `{"x": [[{"TpID": "${tp}", "From": "zz", "To": "${a.hex()}"}]]}`,
      `{"x": [[null]]}`,
    ]
  ) {
    try {
      parseRoutes(text);
      throw new Error(`accepted ${text}`);
    } catch (error) {
      if (!(error instanceof RouteDialError)) throw error;
    }
  }
  assertEquals(parseRoutes("{}").size, 0);
});
