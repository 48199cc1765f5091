import { PubKey } from "../../../mod/cipher/mod.ts";
import type { AppDefinition } from "../app.ts";
import { AppArgsError, parseAppArgs } from "../app_args.ts";
import { SkysocksClient } from "./client.ts";
import { DEFAULT_CLIENT_ADDR } from "./constants.ts";

/**
 * `skysocks-client` for the app manager. Flags: Go's `-srv PK` (required), `-addr HOST:PORT`
 * (default `127.0.0.1:1080`; a bare `:PORT` is loopback), `-http` (Go's HTTP proxy mode, not
 * in this build: ignored with a warning), and `-reconnect` (default true; `-reconnect=false`
 * stops the app when its session is lost), `-min-hops N` (default `routing.min_hops`),
 * `-ping-interval D`, `-ping-timeout D` and `-wait D` (request wait) for tuning.
 */
export const skysocksClientApp: AppDefinition = {
  name: "skysocks-client",
  async run(ctx) {
    const flags = parseAppArgs(ctx.args, {
      srv: "string",
      addr: "string",
      http: "string",
      reconnect: "boolean",
      "min-hops": "integer",
      "ping-interval": "duration",
      "ping-timeout": "duration",
      wait: "duration",
    });
    if (!flags.srv) throw new AppArgsError("no server: give -srv with the skysocks visor's key");
    let serverPk: PubKey;
    try {
      serverPk = PubKey.fromHex(flags.srv as string);
    } catch (error) {
      throw new AppArgsError(`invalid -srv key: ${(error as Error).message}`);
    }
    if (flags.http) ctx.logger.warn("-http (HTTP proxy mode) is not in this build; ignored");
    const client = SkysocksClient.start({
      net: ctx.net,
      serverPk,
      addr: (flags.addr as string | undefined) ?? DEFAULT_CLIENT_ADDR,
      reconnect: flags.reconnect !== false,
      minHops: (flags["min-hops"] as number | undefined) ?? ctx.minHops,
      pingIntervalMs: flags["ping-interval"] as number | undefined,
      pingTimeoutMs: flags["ping-timeout"] as number | undefined,
      requestWaitMs: flags.wait as number | undefined,
      logger: ctx.logger,
    });
    const proxyAddress = `${client.addr.hostname}:${client.addr.port}`;
    ctx.setStatusSource(() => client.status());
    ctx.ready({ proxyAddress });
    ctx.logger.info("SOCKS5 proxy listening", { addr: proxyAddress, server: serverPk.hex() });
    try {
      const stopped = await new Promise<Error | undefined>((resolve) => {
        if (ctx.signal.aborted) return resolve(undefined);
        ctx.signal.addEventListener("abort", () => resolve(undefined), { once: true });
        client.stopped.then(resolve);
      });
      if (stopped) throw stopped;
    } finally {
      await client.close();
    }
  },
};
