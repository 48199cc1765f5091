/**
 * What {@linkcode openSystemLibrary} gives: the value made from the library's symbols and the
 * name it was opened by, or a one-line reason why there is none.
 */
export type OpenedLibrary<T> =
  | { value: T; library: string }
  | { value?: undefined; reason: string };

/** How to find and use one optional system library. */
export interface SystemLibrary<S extends Deno.ForeignLibraryInterface, T> {
  /** Its name in reasons, e.g. `"libcrypto"`. */
  what: string;
  /** An environment variable naming a library file to try first (asked without prompting). */
  envVariable: string;
  /** The names to try after it, in order (the caller picks them for `Deno.build.os`). */
  names: readonly string[];
  /** The symbols to bind. */
  symbols: S;
  /** The value made from the bound symbols; undefined if the library refuses to set up. */
  make(symbols: Deno.DynamicLibrary<S>["symbols"]): T | undefined;
}

function candidateNames(envVariable: string, names: readonly string[]): string[] {
  const candidates: string[] = [];
  try {
    // Asked first so that a run without --allow-env never prompts for it.
    if (Deno.permissions.querySync({ name: "env", variable: envVariable }).state === "granted") {
      const chosen = Deno.env.get(envVariable);
      if (chosen) candidates.push(chosen);
    }
  } catch { /* no permissions API: the usual names only */ }
  return [...candidates, ...names];
}

/**
 * Open an optional system library over Deno FFI: the first candidate that opens, binds every
 * symbol and sets up is kept (one that fails set-up is closed again). Never throws and never
 * prompts: without `Deno.dlopen`, the FFI permission or a working library the answer is a
 * one-line reason listing what each candidate said.
 */
export function openSystemLibrary<S extends Deno.ForeignLibraryInterface, T>(
  spec: SystemLibrary<S, T>,
): OpenedLibrary<T> {
  if (typeof Deno === "undefined" || typeof Deno.dlopen !== "function") {
    return { reason: "this runtime has no Deno.dlopen" };
  }
  const failures: string[] = [];
  for (const name of candidateNames(spec.envVariable, spec.names)) {
    try {
      if (Deno.permissions.querySync({ name: "ffi", path: name }).state !== "granted") {
        return { reason: "no FFI permission (--allow-ffi)" };
      }
      const library = Deno.dlopen(name, spec.symbols);
      let value: T | undefined;
      try {
        value = spec.make(library.symbols);
      } finally {
        // Kept only when set up; one whose set-up failed or threw is closed here.
        if (value === undefined) library.close();
      }
      if (value !== undefined) return { value, library: name };
      failures.push(`${name}: set-up failed`);
    } catch (error) {
      // Deno's message repeats "Could not open library: " and the name: keep the cause.
      const message = (error instanceof Error ? error.message : String(error))
        .replace(/^(Could not open library: )+/, "").replace(`${name}: `, "");
      failures.push(`${name}: ${message}`);
    }
  }
  return { reason: `${spec.what} not loaded (${failures.join("; ")})` };
}
