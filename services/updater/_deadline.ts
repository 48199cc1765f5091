/** An abort signal that fires when no progress was reported for `idleMs`, or when `parent` aborts. */
export interface IdleDeadline extends Disposable {
  /** Aborts on idle timeout or parent abort. */
  readonly signal: AbortSignal;
  /** Report progress (restarts the idle clock). */
  touch(): void;
}

/**
 * Watch for stalls with one interval timer checking a timestamp, rather than a timer reset per
 * chunk. Dispose it on every path so no timer outlives the operation.
 */
export function idleDeadline(idleMs: number, parent?: AbortSignal): IdleDeadline {
  const controller = new AbortController();
  let last = Date.now();
  const onParentAbort = () => controller.abort(parent?.reason);
  parent?.addEventListener("abort", onParentAbort, { once: true });
  if (parent?.aborted) onParentAbort();
  const timer = setInterval(() => {
    if (Date.now() - last >= idleMs) {
      controller.abort(new Error(`no progress for ${Math.round(idleMs / 1000)} s`));
    }
  }, Math.max(10, Math.min(1000, idleMs / 4)));
  return {
    signal: controller.signal,
    touch: () => {
      last = Date.now();
    },
    [Symbol.dispose]: () => {
      clearInterval(timer);
      parent?.removeEventListener("abort", onParentAbort);
    },
  };
}
