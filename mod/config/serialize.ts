import type { SkywireConfig } from "./types.ts";

/** The config file text: tab-indented JSON like Go's `MarshalIndent(v, "", "\t")`. */
export function configToJson(config: SkywireConfig): string {
  return JSON.stringify(config, null, "\t") + "\n";
}
