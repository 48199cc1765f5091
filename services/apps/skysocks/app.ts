import type { AppDefinition } from "../app.ts";
import { parseAppArgs } from "../app_args.ts";
import { SkysocksServer } from "./server.ts";

/**
 * `skysocks` for the app manager. Flags (Go's): `-passcode TEXT` (clients must give it as the
 * SOCKS username or password). Serves on the app's port (3 in Go's configs) until stopped.
 */
export const skysocksApp: AppDefinition = {
  name: "skysocks",
  async run(ctx) {
    const flags = parseAppArgs(ctx.args, { passcode: "string" });
    const server = SkysocksServer.start({
      net: ctx.net,
      port: ctx.port,
      passcode: (flags.passcode as string | undefined) || undefined,
      logger: ctx.logger,
    });
    ctx.setStatusSource(() => server.stats());
    ctx.ready();
    ctx.logger.info("serving the SOCKS5 proxy", {
      port: ctx.port,
      passcode: flags.passcode ? "set" : "none",
    });
    try {
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) return resolve();
        ctx.signal.addEventListener("abort", () => resolve(), { once: true });
      });
    } finally {
      await server.close();
    }
  },
};
