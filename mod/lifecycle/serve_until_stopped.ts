import { trimNativeHeapWhileRunning } from "../ffi/mod.ts";
import { createLogger, type Logger, type LogLevel } from "../log/mod.ts";
import { stopOnSignals } from "./signals.ts";

/** A started service as {@linkcode serveUntilStopped} runs it. */
export interface StartedService {
  /** Printed once it is up. */
  readonly url: string;
  /** Stop serving and release everything. */
  close(): Promise<void>;
}

/** Options for {@linkcode serveUntilStopped}. */
export interface ServeUntilStoppedOptions {
  /** The log's component name (`address_resolver`, ...). */
  component: string;
  /** The log level. */
  level: LogLevel;
  /** Where the URL is printed (the command's stdout). */
  out: (line: string) => void;
}

/**
 * Run a service command until SIGINT/SIGTERM: make its logger, listen for the signals, `start`
 * the service with that logger, print its URL with `out`, and on the first signal log it and
 * close the service. The signal listeners go in before the URL is printed, because the URL
 * tells callers we are up. Returns the exit code (0).
 */
export async function serveUntilStopped(
  options: ServeUntilStoppedOptions,
  start: (logger: Logger) => Promise<StartedService>,
): Promise<number> {
  const logger = createLogger({ level: options.level, component: options.component });
  using stop = stopOnSignals();
  const service = await start(logger);
  options.out(service.url);
  trimNativeHeapWhileRunning(stop.signal); // what starting freed goes back to the system
  const signal = await stop.received;
  logger.info("shutting down", { signal });
  await service.close();
  return 0;
}
