/** A stop request from the operating system, as an abort signal. */
export interface StopSignal extends Disposable {
  /** Aborted by the first SIGINT or SIGTERM (its reason names the signal). */
  readonly signal: AbortSignal;
  /** Resolves with the name of the first SIGINT or SIGTERM. */
  readonly received: Promise<Deno.Signal>;
}

const STOP_SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM"];

/**
 * Abort a signal on the first SIGINT or SIGTERM. Install it before announcing readiness (a
 * signal that arrives before the listener would end the process with the default action).
 * Dispose it to remove the listeners (so a second Ctrl-C after that gets the default
 * behaviour: the process ends at once).
 */
export function stopOnSignals(): StopSignal {
  const controller = new AbortController();
  const { promise: received, resolve } = Promise.withResolvers<Deno.Signal>();
  const handlers = STOP_SIGNALS.map((name) => {
    const handler = () => {
      if (!controller.signal.aborted) resolve(name);
      controller.abort(new Error(`received ${name}`));
    };
    Deno.addSignalListener(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    received,
    [Symbol.dispose]() {
      for (const [name, handler] of handlers) Deno.removeSignalListener(name, handler);
    },
  };
}
