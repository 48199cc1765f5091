import type { AppDefinition } from "./app.ts";
import { skysocksApp } from "./skysocks/app.ts";
import { skysocksClientApp } from "./skysocks_client/app.ts";

/** The apps this build runs in-process, by their `launcher.apps` names. */
export const BUILTIN_APPS: ReadonlyMap<string, AppDefinition> = new Map(
  [skysocksApp, skysocksClientApp].map((app) => [app.name, app]),
);
