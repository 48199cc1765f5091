/**
 * A route finder for visor tests until the service lands: Go's `POST /routes` over HTTP,
 * answered from the test visors' own transports (tests/mod/router's path search).
 */
import { PubKey } from "../../../mod/cipher/mod.ts";
import type { TransportManager } from "../../../mod/transport/mod.ts";
import { TestRouteFinder } from "../../mod/router/_setup.ts";

/** A running test route finder. */
export interface TestRouteFinderService extends AsyncDisposable {
  /** Its base URL. */
  url: string;
  /** Requests answered. */
  requests: number;
}

/** Serve `/routes` on 127.0.0.1:0 over the transports `managers()` returns. */
export function serveTestRouteFinder(
  managers: () => TransportManager[],
): TestRouteFinderService {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    service.requests++;
    const body = await req.json();
    const edges = (body.Edges as string[]).map((text) => {
      const [a, b] = text.split(":");
      return [PubKey.fromHex(a), PubKey.fromHex(b)] as const;
    });
    try {
      const found = await new TestRouteFinder(managers()).findRoutes(edges, {
        minHops: body.Opts?.MinHops,
        maxHops: body.Opts?.MaxHops,
      });
      const out: Record<string, unknown> = {};
      for (const [key, paths] of found) {
        out[key] = paths.map((path) =>
          path.map((hop) => ({ TpID: hop.TpID, From: hop.From.hex(), To: hop.To.hex() }))
        );
      }
      return Response.json(out);
    } catch {
      return Response.json({ error: { message: "no route", code: 404 } }, { status: 404 });
    }
  });
  const service: TestRouteFinderService = {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests: 0,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
  return service;
}
