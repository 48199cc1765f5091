/**
 * `/health` as Skywire's Go services answer it: build info and start time.
 *
 * @module
 */
import { VERSION } from "../version/mod.ts";
import { goJsonString } from "./json.ts";

/**
 * Go's `HealthCheckResponse` JSON (`build_info`, `started_at`, and `service_name` first when
 * given, as newer Go services write it).
 */
export function healthJson(startedAt: Date, serviceName?: string): string {
  const name = serviceName ? `"service_name":${goJsonString(serviceName)},` : "";
  return `{${name}"build_info":{"version":${goJsonString(VERSION)},"commit":"","date":""},` +
    `"started_at":"${startedAt.toISOString()}"}`;
}
