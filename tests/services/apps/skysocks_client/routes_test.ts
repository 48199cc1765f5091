import { assert, assertEquals, assertMatch } from "@std/assert";
import { routeAppNet } from "../../../../mod/appnet/mod.ts";
import { SkysocksServer } from "../../../../services/apps/skysocks/mod.ts";
import { SkysocksClient } from "../../../../services/apps/skysocks_client/mod.ts";
import { curl, hasCurl } from "../../../_util/curl.ts";
import { startHttpTarget } from "../../../_util/http_target.ts";
import { waitFor } from "../../../mod/dmsg/_harness.ts";
import { TestRoutes } from "../../../mod/router/_net.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test({
  name: "skysocks over real routes: a route whose middle drops its rules is caught and redialed",
  ignore: !hasCurl,
  async fn() {
    await using target = await startHttpTarget();
    await using routes = new TestRoutes();
    const user = await routes.visor();
    const middle = await routes.visor();
    const exit = await routes.visor();
    await routes.link(user, middle);
    await routes.link(middle, exit);
    const server = SkysocksServer.start({ net: routeAppNet(exit) });
    const client = SkysocksClient.start({
      net: routeAppNet(user),
      serverPk: exit.pk,
      addr: "127.0.0.1:0",
      minHops: 2,
      pingIntervalMs: 200,
      pingTimeoutMs: 150,
      backoffInitialMs: 50,
      exitReplyTimeoutMs: 300,
    });
    try {
      const socks = `127.0.0.1:${client.addr.port}`;
      await waitFor("session", () => client.status().session.state === "up");
      const url = `http://127.0.0.1:${target.port}/hello`;
      const first = await curl(["--socks5-hostname", socks, url]);
      assertEquals(first.code, 0, first.stderr);
      assertEquals(text(first.body), `hello from 127.0.0.1:${target.port}`);
      assert(middle.router.stats().rules > 0, "the route crosses the middle visor");

      // The middle visor forgets the route (as after a restart): packets are dropped there, and
      // neither end hears of it.
      middle.router.deleteRules(middle.router.rules().map((rule) => rule.keyRouteId));
      await waitFor("redial", () => client.status().session.connects === 2, 10_000);
      assertMatch(client.status().session.lastError ?? "", /liveness pings unanswered/);

      const after = await curl(["--socks5-hostname", socks, url]);
      assertEquals(after.code, 0, after.stderr);
      assertEquals(after.body.length, first.body.length);
    } finally {
      await client.close();
      await server.close();
    }
    await waitFor("user router idle", () => user.router.stats().groups === 0);
  },
});
