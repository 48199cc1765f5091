/**
 * Process lifecycle: stop on SIGINT/SIGTERM ({@linkcode stopOnSignals}) and close within a
 * budget ({@linkcode closeWithin}), so every command stops the same way within
 * {@linkcode SHUTDOWN_BUDGET_MS}.
 *
 * @module
 */
export { stopOnSignals } from "./signals.ts";
export type { StopSignal } from "./signals.ts";
export { serveUntilStopped } from "./serve_until_stopped.ts";
export type { ServeUntilStoppedOptions, StartedService } from "./serve_until_stopped.ts";
export { aborted, closeWithin, SHUTDOWN_BUDGET_MS } from "./close_within.ts";
export type { CloseWithinOptions } from "./close_within.ts";
export { sleep } from "./sleep.ts";
export { Backoff } from "./backoff.ts";
export type { BackoffOptions } from "./backoff.ts";
