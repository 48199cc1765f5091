/**
 * Transport set-up latency between whole visors, ours against Go skywire 2024's, on the
 * services of `skywire up` (our dmsg discovery and server, transport discovery, address
 * resolver) in this process:
 *
 * - ours → ours: `saveTransport` of one visor to another (dial, handshakes, settlement, the
 *   accepting side's registration in the transport discovery), timed in process;
 * - Go → Go: `skywire-cli visor tp add -t TYPE`, timed by the dialing visor's own log
 *   (`Saving transport` to `Saved transport`, nanosecond timestamps: the same span), and the
 *   CLI's wall time beside it (its start-up dominates);
 * - ours → Go: our `saveTransport` to a Go visor.
 *
 * Needs `SKYWIRE_GO_REF_BIN` with `skywire-visor` and `skywire-cli`; `undefined` without them.
 *
 * @module
 */
import { join } from "node:path";
import { generateKeyPair, PubKey } from "../../mod/cipher/mod.ts";
import { generateConfig } from "../../mod/config/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { startUp } from "../../services/up/mod.ts";
import { startVisor, type Visor } from "../../services/visor/mod.ts";
import { type GoVisor, goVisorSkip, startGoVisor } from "../interop/_go_visor.ts";

/** p50 of each side, ms, and the ratio ours/Go. */
export interface VisorSetupFigures {
  /** Set-ups per type and pair. */
  setups: number;
  /** Per type: p50 set-up of ours → ours, Go → Go (its log), ours → Go, and Go's CLI wall. */
  [type: string]: number | Record<string, number>;
}

const quiet = createLogger({ level: "fatal" });

function p50(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] * 1000) / 1000;
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Run the comparison, or resolve `undefined` (with the reason logged) without Go binaries. */
export async function visorSetupComparison(
  setups = 20,
): Promise<VisorSetupFigures | undefined> {
  const bin = Deno.env.get("SKYWIRE_GO_REF_BIN");
  const skip = await goVisorSkip(bin);
  if (skip) {
    console.log(`visor set-up vs Go: skipped (${skip})`);
    return undefined;
  }
  const dir = await Deno.makeTempDir({ prefix: "skywire-bench-visors-" });
  const up = await startUp({
    dataDir: join(dir, "up"),
    discoveryPort: 0,
    serverPort: 0,
    transportDiscoveryPort: 0,
    addressResolverPort: 0,
    cliPort: 0,
    uiPort: 0,
    logger: quiet,
  });
  const goVisors: GoVisor[] = [];
  let second: Visor | undefined;
  try {
    const keys = generateKeyPair();
    const config = generateConfig({
      keys,
      localPath: join(dir, "ours-2"),
      services: {
        dmsgDiscovery: up.info.discovery,
        transportDiscovery: up.info.transport_discovery,
        addressResolver: up.info.address_resolver,
        transportSetup: [],
      },
    });
    config.cli_addr = "";
    config.updater = { ...config.updater, enabled: false };
    second = await startVisor({
      config,
      pk: keys.pk,
      sk: keys.sk,
      logger: quiet,
      transportTuning: { stcprHostname: "127.0.0.1", pingIntervalMs: 0 },
    });
    await second.ready(AbortSignal.timeout(20_000));
    const services = {
      dmsgDiscovery: up.info.discovery,
      transportDiscovery: up.info.transport_discovery,
      addressResolver: up.info.address_resolver,
    };
    for (const name of ["go-1", "go-2"]) {
      goVisors.push(await startGoVisor({ bin: bin!, dir, name, services }));
    }
    const [g1, g2] = goVisors;
    const ours = [up.visor, second];
    for (const go of [g1, g2]) {
      await until(
        () =>
          up.visor.transports.resolver!.resolve(PubKey.fromHex(go.pk)).then(
            () => true,
            () => false,
          ),
        `${go.pk}'s stcpr binding`,
      );
    }
    await until(() => second!.transports.binding?.bound === true, "our stcpr binding");

    const figures: VisorSetupFigures = { setups };
    for (const type of ["dmsg", "stcpr"]) {
      const oursToOurs: number[] = [], oursToGo: number[] = [], goWall: number[] = [];
      for (let i = 0; i < setups; i++) {
        const t0 = performance.now();
        const tp = await ours[1].transports.manager.saveTransport(ours[0].pk, type);
        oursToOurs.push(performance.now() - t0);
        await ours[1].transports.manager.deleteTransport(tp.id);
        await until(() => !ours[0].transports.manager.transport(tp.id), "ours to drop it");

        const t1 = performance.now();
        const toGo = await ours[1].transports.manager.saveTransport(PubKey.fromHex(g1.pk), type);
        oursToGo.push(performance.now() - t1);
        await ours[1].transports.manager.deleteTransport(toGo.id);
        await until(
          async () => !(await g1.transports()).some((t) => t.id === toGo.id),
          "Go to drop it",
        );

        goWall.push((await g1.addTransport(g2.pk, type)).ms);
        await g1.removeAll();
        await until(async () => (await g2.transports()).length === 0, "go-2 to drop it");
      }
      const goToGo = g1.setupTimes(g2.pk, type);
      figures[type] = {
        ours_to_ours_p50_ms: p50(oursToOurs),
        go_to_go_p50_ms: p50(goToGo),
        ours_to_go_p50_ms: p50(oursToGo),
        go_cli_wall_p50_ms: p50(goWall),
        ours_vs_go: Math.round(p50(oursToOurs) / p50(goToGo) * 1000) / 1000,
      };
    }
    return figures;
  } finally {
    await Promise.allSettled(goVisors.map((go) => go[Symbol.asyncDispose]()));
    await second?.close();
    await up.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
