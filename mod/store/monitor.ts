import type { Logger } from "../log/mod.ts";
import { isAccessError } from "./_access.ts";
import type { Store } from "./open.ts";
import { type ProbeResult, probeStore, type StoreProbe } from "./probe.ts";

/** Probe a store file while it is in use (SQLite allows a second, read-only reader). */
export async function checkStore(
  path: string,
  probe: StoreProbe = probeStore,
): Promise<ProbeResult> {
  try {
    return await probe(path);
  } catch (error) {
    const reason = `probe failed: ${error instanceof Error ? error.message : String(error)}`;
    // Losing read access while running is the operator's to fix, not damage to recover from.
    return isAccessError(error) ? { status: "unusable", reason } : { status: "corrupt", reason };
  }
}

/** Options for {@linkcode startStoreMonitor}. */
export interface StoreMonitorOptions {
  /** The store to watch. */
  store: Store;
  /** Milliseconds between probes; 0 = no timer, only {@linkcode StoreMonitor.checkNow}. */
  intervalMs: number;
  /** Where findings are logged. */
  logger: Logger;
  /** The probe (tests substitute one). */
  probe?: StoreProbe;
  /** Called after a damaged store was recovered in place. */
  onRecovered?: (reason: string) => void;
}

/** A running periodic probe. */
export interface StoreMonitor {
  /** Run one probe now (also what the timer runs). */
  checkNow(): Promise<ProbeResult>;
  /** Stop the timer. Idempotent. */
  stop(): void;
}

/**
 * Probe the store every `intervalMs`. A damaged store is recovered in place (what still reads
 * is copied into a fresh store, the old file moved aside) before Deno KV's background task can
 * hit the damage and end the process. A store this process may no longer read is logged, not
 * touched.
 */
export function startStoreMonitor(options: StoreMonitorOptions): StoreMonitor {
  const { store, logger } = options;
  let running: Promise<ProbeResult> | undefined;
  const checkNow = () => {
    running ??= (async () => {
      try {
        const result = await checkStore(store.path, options.probe);
        if (result.status === "corrupt" || result.status === "foreign") {
          logger.error("store failed its health probe; recovering", {
            path: store.path,
            reason: result.reason,
          });
          await store.recover(result.reason);
          options.onRecovered?.(result.reason);
        } else if (result.status === "unusable") {
          logger.error("store cannot be checked; leaving it alone", {
            path: store.path,
            reason: result.reason,
          });
        } else {
          logger.debug("store health probe ok", { path: store.path });
        }
        return result;
      } catch (error) {
        logger.error("store recovery failed", { path: store.path, error });
        return { status: "corrupt", reason: String(error) } as ProbeResult;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = options.intervalMs > 0
    ? setInterval(() => void checkNow(), options.intervalMs)
    : undefined;
  if (timer !== undefined) Deno.unrefTimer(timer);
  return {
    checkNow,
    stop: () => clearInterval(timer),
  };
}
