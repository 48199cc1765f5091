import type { Logger } from "../log/mod.ts";
import { stopOnSignals } from "./signals.ts";

/** A started service as {@linkcode serveUntilStopped} runs it. */
export interface StartedService {
  /** Printed once it is up. */
  readonly url: string;
  /** Stop serving and release everything. */
  close(): Promise<void>;
}

/**
 * Run a service command until SIGINT/SIGTERM: listen for the signals, `start` the service,
 * print its URL with `out`, and on the first signal log it and close the service. The signal
 * listeners go in before the URL is printed, because the URL tells callers we are up.
 * Returns the exit code (0).
 */
export async function serveUntilStopped(
  start: () => Promise<StartedService>,
  out: (line: string) => void,
  logger: Logger,
): Promise<number> {
  using stop = stopOnSignals();
  const service = await start();
  out(service.url);
  const signal = await stop.received;
  logger.info("shutting down", { signal });
  await service.close();
  return 0;
}
