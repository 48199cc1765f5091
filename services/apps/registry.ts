/**
 * Which run of each app is the live one. Deregistering is identity-checked: it removes the
 * entry only when it still holds that very run, so a stale run (stopped, abandoned, replaced)
 * or a second deregister gets "not found" and never removes a newer run's entry.
 */
export class AppRegistry<T extends object> {
  readonly #slots = new Map<string, T>();

  /** Register `run` under `name`; `false` when the name holds another run. */
  register(name: string, run: T): boolean {
    if (this.#slots.has(name)) return false;
    this.#slots.set(name, run);
    return true;
  }

  /** Remove `run` from `name`: `"ok"`, or `"not found"` when the slot holds something else. */
  deregister(name: string, run: T): "ok" | "not found" {
    if (this.#slots.get(name) !== run) return "not found";
    this.#slots.delete(name);
    return "ok";
  }

  /** The live run of `name`. */
  get(name: string): T | undefined {
    return this.#slots.get(name);
  }

  /** Runs registered now. */
  get size(): number {
    return this.#slots.size;
  }
}
