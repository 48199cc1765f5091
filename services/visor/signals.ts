/** A stop request from the operating system, as an abort signal. */
export interface StopSignal extends Disposable {
  /** Aborted by the first SIGINT or SIGTERM (its reason names the signal). */
  readonly signal: AbortSignal;
}

const STOP_SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM"];

/**
 * Abort a signal on the first SIGINT or SIGTERM. Dispose it to remove the listeners (so a
 * second Ctrl-C after that gets the default behaviour: the process ends at once).
 */
export function stopOnSignals(): StopSignal {
  const controller = new AbortController();
  const handlers = STOP_SIGNALS.map((name) => {
    const handler = () => controller.abort(new Error(`received ${name}`));
    Deno.addSignalListener(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    [Symbol.dispose]() {
      for (const [name, handler] of handlers) Deno.removeSignalListener(name, handler);
    },
  };
}
