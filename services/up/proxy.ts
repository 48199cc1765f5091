import type { Logger } from "../../mod/log/mod.ts";
import type { Visor } from "../visor/mod.ts";

/** The proxy client's app in `skywire up`'s first visor (Go's name). */
export const PROXY_CLIENT_APP = "skysocks-client";

/**
 * Where `up`'s proxy client listens: `127.0.0.1:PORT` when that port is free now, else a free
 * one (`127.0.0.1:0`, the client reports which it got), with a log line. Port 0 asks for a free
 * one straight away.
 */
export function socksListenAddress(port: number, logger: Logger): string {
  if (port === 0) return "127.0.0.1:0";
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return `127.0.0.1:${port}`;
  } catch (error) {
    if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    logger.warn(`port ${port} is taken; the SOCKS5 proxy uses a free port instead`);
    return "127.0.0.1:0";
  }
}

interface ProxyInfo {
  session?: { state?: string };
}

/**
 * Wait (up to `timeoutMs`) until the proxy client of `visor` has its session to the exit, and
 * resolve the SOCKS5 address it listens on. A port taken since it was probed is retried on a
 * free one. Resolves `undefined` (with a log line) when the client does not run; a session
 * still missing at the deadline is logged and the address returned all the same: the client
 * keeps dialing, and a request waits for it.
 */
export async function waitForProxy(
  visor: Visor,
  serverPk: string,
  timeoutMs: number,
  logger: Logger,
): Promise<string | undefined> {
  let state = visor.apps.status(PROXY_CLIENT_APP);
  if (state.status === "errored" && /address already in use/.test(state.detail ?? "")) {
    state = await visor.apps.start(PROXY_CLIENT_APP, {
      args: ["-srv", serverPk, "-addr", "127.0.0.1:0"],
    });
  }
  if (state.status !== "running" || !state.proxyAddress) {
    logger.error("the SOCKS5 proxy client is not running", { detail: state.detail });
    return undefined;
  }
  const end = Date.now() + timeoutMs;
  for (;;) {
    const info = visor.apps.status(PROXY_CLIENT_APP).info as ProxyInfo | undefined;
    if (info?.session?.state === "up") return state.proxyAddress;
    if (Date.now() > end) {
      logger.warn("the proxy's session to the exit visor is not up yet; it keeps trying", {
        waited_ms: timeoutMs,
      });
      return state.proxyAddress;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
