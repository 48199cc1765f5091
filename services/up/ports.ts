import type { Logger } from "../../mod/log/mod.ts";

/** `skywire up`'s discovery port: Go dmsg-discovery's default (`:9090`). */
export const DEFAULT_DISCOVERY_PORT = 9090;
/** `skywire up`'s dmsg server port: Go dmsg-server's default local address (`:8081`). */
export const DEFAULT_DMSG_SERVER_PORT = 8081;
/** `skywire up`'s transport discovery port: Go transport-discovery's default (`:9091`). */
export const DEFAULT_TRANSPORT_DISCOVERY_PORT = 9091;
/** `skywire up`'s route finder port: Go route-finder's default (`:9092`). */
export const DEFAULT_ROUTE_FINDER_PORT = 9092;
/** `skywire up`'s address resolver port: Go address-resolver's default (`:9093`). */
export const DEFAULT_ADDRESS_RESOLVER_PORT = 9093;
/** `skywire up`'s visor control port: Go's `cli_addr` default (`localhost:3435`). */
export const DEFAULT_CLI_PORT = 3435;
/** `skywire up`'s exit visor control port: the next one. */
export const DEFAULT_EXIT_CLI_PORT = 3436;
/** `skywire up`'s SOCKS5 proxy port: Go skysocks-client's default (`:1080`). */
export const DEFAULT_SOCKS_PORT = 1080;

function addressInUse(error: unknown): boolean {
  return error instanceof Deno.errors.AddrInUse ||
    (error instanceof Error && /address already in use/i.test(error.message));
}

/**
 * Start something on `port`; when the port is taken, start it on a free port instead (port 0)
 * and log which one it got. Port 0 asks for a free port straight away.
 */
export async function startWithPortFallback<T>(
  what: string,
  port: number,
  start: (port: number) => Promise<T>,
  logger: Logger,
): Promise<T> {
  if (port === 0) return await start(0);
  try {
    return await start(port);
  } catch (error) {
    if (!addressInUse(error)) throw error;
    logger.warn(`port ${port} is taken; ${what} uses a free port instead`);
    return await start(0);
  }
}
