import { RouteSetupError, type RouteSetupErrorCode } from "./errors.ts";

/** One bounded step of a set-up (a dial or a call to one visor). */
export interface HopStep<T> {
  /** What the step is, for error texts (`dial <pk>@136`). */
  what: string;
  /** The error code a failure of the step gets. */
  code: RouteSetupErrorCode;
  /** Time limit, ms. */
  timeoutMs: number;
  /** Aborted when the whole set-up gives up. */
  signal: AbortSignal;
  /** The work; it should stop when its signal aborts. */
  run(signal: AbortSignal): Promise<T>;
  /** Releases a result that arrives after the step already gave up (e.g. closes a stream). */
  late?(value: T): void;
}

/**
 * Run a step within its time limit. It ends when the work does or when the limit or the outer
 * signal fires, whichever comes first, even if the work ignores its signal (a late result is
 * passed to `late`). Failures are {@linkcode RouteSetupError}s naming the step.
 */
export function hopStep<T>(step: HopStep<T>): Promise<T> {
  const inner = new AbortController();
  let stop: (error: RouteSetupError) => void = () => {};
  const stopped = new Promise<never>((_, reject) => stop = reject);
  const onOuter = () => {
    const error = new RouteSetupError("closed", `${step.what}: route setup cancelled`);
    inner.abort(error);
    stop(error);
  };
  const timer = setTimeout(() => {
    const error = new RouteSetupError(
      "timeout",
      `${step.what}: no answer within ${step.timeoutMs} ms`,
    );
    inner.abort(error);
    stop(error);
  }, step.timeoutMs);
  if (step.signal.aborted) onOuter();
  else step.signal.addEventListener("abort", onOuter, { once: true });
  let work: Promise<T>;
  try {
    work = step.run(inner.signal);
  } catch (error) {
    work = Promise.reject(error);
  }
  work.then((value) => {
    if (inner.signal.aborted) step.late?.(value);
  }, () => {});
  const failed = (error: unknown): never => {
    if (inner.signal.aborted) throw inner.signal.reason;
    if (error instanceof RouteSetupError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new RouteSetupError(step.code, `${step.what}: ${message}`, { cause: error });
  };
  return Promise.race([work, stopped]).catch(failed).finally(() => {
    clearTimeout(timer);
    step.signal.removeEventListener("abort", onOuter);
  });
}

/**
 * Run `tasks` at once; the first failure aborts `controller` (the others' signal) and, once all
 * have settled, is thrown. Nothing is left running when this settles.
 */
export async function settleAll(
  tasks: Array<() => Promise<void>>,
  controller: AbortController,
): Promise<void> {
  let first: { error: unknown } | undefined;
  await Promise.all(tasks.map(async (task) => {
    try {
      await task();
    } catch (error) {
      if (!first) {
        first = { error };
        controller.abort(error);
      }
    }
  }));
  if (first) throw first.error;
}
