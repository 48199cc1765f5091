import type { AppNet } from "../../mod/appnet/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";

/** What a running app gets from the manager. */
export interface AppContext {
  /** The app's name (from `launcher.apps`). */
  readonly name: string;
  /** Its arguments (Go flag style, from the config or the start request). */
  readonly args: readonly string[];
  /** Its port (`launcher.apps[].port`). */
  readonly port: number;
  /** `routing.min_hops` of the visor: the default for the app's dials. */
  readonly minHops: number;
  /**
   * The visor's app network. Every connection and listener made through it belongs to this run
   * and is closed when the run ends, however it ends.
   */
  readonly net: AppNet;
  /** Where the app logs (kept for `app log`, and in the visor's log). */
  readonly logger: Logger;
  /** Aborted when the app is to stop; `run` then releases what it holds and returns. */
  readonly signal: AbortSignal;
  /** Report that the app serves (wakes whoever waits for it to start). Later calls are ignored. */
  ready(info?: { proxyAddress?: string }): void;
  /** A one-line detail for status listings (e.g. "session up"). */
  setDetail(detail: string): void;
  /** A function the manager calls for the app's own status (e.g. the proxy's state). */
  setStatusSource(source: () => unknown): void;
}

/** An app the manager can run in-process (Go 2026 runs its apps in the visor process too). */
export interface AppDefinition {
  /** The name `launcher.apps[].name` uses, e.g. `skysocks`. */
  readonly name: string;
  /** Run until `ctx.signal` aborts; call `ctx.ready()` once serving; throw to fail. */
  run(ctx: AppContext): Promise<void>;
}
