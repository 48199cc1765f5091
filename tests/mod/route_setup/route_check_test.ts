import { assertEquals, assertThrows } from "@std/assert";
import { PubKey } from "../../../mod/cipher/mod.ts";
import {
  checkRoute,
  MAX_ROUTE_HOPS,
  ROUTE_CHECK_ERRORS,
  RouteSetupError,
} from "../../../mod/route_setup/mod.ts";
import type { routingGob } from "../../../mod/routing/mod.ts";
import { hopsAlong, keys, routeAlong } from "./_routes.ts";

function refused(route: routingGob.BidirectionalRoute, text: string): void {
  const error = assertThrows(() => checkRoute(route), RouteSetupError, text);
  assertEquals(error.code, "invalid_route");
}

Deno.test("checkRoute: Go's three checks, with Go's texts", () => {
  const [a, b, c] = keys(3);
  const route = routeAlong([a, b]);
  assertEquals(checkRoute(route).srcPkHex, a.hex());
  refused({ ...route, Forward: [] }, ROUTE_CHECK_ERRORS.noForward);
  refused({ ...route, Reverse: [] }, ROUTE_CHECK_ERRORS.noReverse);
  refused({ ...route, Desc: new Uint8Array(69) }, ROUTE_CHECK_ERRORS.invalidDesc);
  // Edges that do not match the descriptor.
  refused({ ...route, Forward: hopsAlong([c, b]) }, ROUTE_CHECK_ERRORS.invalidDesc);
  refused({ ...route, Forward: hopsAlong([a, c]) }, ROUTE_CHECK_ERRORS.invalidDesc);
  refused({ ...route, Reverse: hopsAlong([c, a]) }, ROUTE_CHECK_ERRORS.invalidDesc);
  refused({ ...route, Reverse: hopsAlong([b, c]) }, ROUTE_CHECK_ERRORS.invalidDesc);
});

Deno.test("checkRoute: ours — broken chains, null keys, length", () => {
  const [a, b, c, d] = keys(4);
  const route = routeAlong([a, b, c]);
  const broken = [...hopsAlong([a, b]), ...hopsAlong([d, c])];
  refused({ ...route, Forward: broken }, "forward hop 1 does not start where hop 0 ends");
  const nullHop = [...hopsAlong([a, b]), { ...hopsAlong([b, c])[0], To: PubKey.NULL }];
  refused({ ...route, Forward: [...nullHop, ...hopsAlong([b, c])] }, "null key");
  const long = [a, ...Array.from({ length: MAX_ROUTE_HOPS }, (_, i) => i % 2 ? d : b), c];
  refused({ ...route, Forward: hopsAlong(long) }, `more than ${MAX_ROUTE_HOPS}`);
});
