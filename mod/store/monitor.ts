import type { Logger } from "../log/mod.ts";
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
    return {
      status: "corrupt",
      reason: `probe failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** Options for {@linkcode startStoreMonitor}. */
export interface StoreMonitorOptions {
  /** The store to watch. */
  store: Store;
  /** Milliseconds between probes. */
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
 * Probe the store every `intervalMs`. A damaged store is recovered in place (moved aside, fresh
 * store opened) before Deno KV's background task can hit the damage and end the process.
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
  const timer = setInterval(() => void checkNow(), options.intervalMs);
  Deno.unrefTimer(timer);
  return {
    checkNow,
    stop: () => clearInterval(timer),
  };
}
