/** A debounced function with controls, as returned by {@linkcode debounce}. */
export interface DebouncedFunction<T extends Array<unknown>> {
  (...args: T): void;
  /** Cancel a pending call. */
  clear(): void;
  /** Run a pending call now. */
  flush(): void;
  /** Whether a call is pending. */
  readonly pending: boolean;
}

/** Delay calls to `fn` until `wait` ms have passed without another call; the last args win. */
export function debounce<T extends Array<unknown>>(
  fn: (this: DebouncedFunction<T>, ...args: T) => void,
  wait: number,
): DebouncedFunction<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastArgs: T | undefined;
  const run = () => {
    const args = lastArgs;
    timer = undefined;
    lastArgs = undefined;
    if (args) fn.call(debounced, ...args);
  };
  const debounced = ((...args: T) => {
    lastArgs = args;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(run, wait);
  }) as DebouncedFunction<T>;
  debounced.clear = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    lastArgs = undefined;
  };
  debounced.flush = () => {
    if (timer === undefined) return;
    clearTimeout(timer);
    run();
  };
  Object.defineProperty(debounced, "pending", { get: () => timer !== undefined });
  return debounced;
}
