import type { Logger } from "../log/mod.ts";

/**
 * How long a process has to stop after SIGINT/SIGTERM: everything it runs closes within this,
 * and a step still stuck after it is left to process exit. Go's visor default
 * (`shutdown_timeout`, 10 s): a normal stop takes well under a second, but `skywire up` closes
 * two visors, their apps and five services, which on a slow board (or under emulation, measured
 * ~2.1 s on qemu-aarch64) overran the earlier 2 s.
 */
export const SHUTDOWN_BUDGET_MS = 10_000;

/** Options for {@linkcode closeWithin}. */
export interface CloseWithinOptions {
  /** Milliseconds to wait (default {@linkcode SHUTDOWN_BUDGET_MS}). */
  budgetMs?: number;
  /** Where a failure or an overrun is logged (not logged without one). */
  logger?: Logger;
  /** What is closing, for the log line (default "shutdown"). */
  what?: string;
}

/**
 * Wait for `close` (a promise, or a function that starts it) for at most the budget. Resolves
 * `true` when it finished in time, `false` when it failed or overran; never rejects, so a
 * shutdown path always goes on. The timer is cleared either way.
 */
export async function closeWithin(
  close: Promise<unknown> | (() => Promise<unknown>),
  options: CloseWithinOptions = {},
): Promise<boolean> {
  const budgetMs = options.budgetMs ?? SHUTDOWN_BUDGET_MS;
  const what = options.what ?? "shutdown";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const overran = new Promise<false>((resolve) =>
    timer = setTimeout(() => resolve(false), budgetMs)
  );
  let closing: Promise<unknown>;
  try {
    closing = typeof close === "function" ? close() : close;
  } catch (error) {
    closing = Promise.reject(error);
  }
  let outcome: "closed" | "failed" | undefined;
  const closed = closing.then(() => {
    outcome = "closed";
    return true;
  }, (error) => {
    outcome = "failed";
    options.logger?.error(`${what} failed`, { error });
    return false;
  });
  const finished = await Promise.race([closed, overran]);
  clearTimeout(timer);
  if (outcome === undefined) {
    options.logger?.error(`${what} did not finish within ${budgetMs} ms; going on anyway`, {
      budget_ms: budgetMs,
    });
  }
  return finished;
}

/** Resolves once `signal` aborts (at once if it already has). */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
