import { goJsonResponse, goStdJsonString } from "../../../mod/httpauth/mod.ts";
import type { JsonResult, Refusal } from "../service.ts";

/** Go's error answer: `{"error":"…"}` and a newline (its `json.Encoder`). */
export function refusalResponse(refusal: Refusal): Response {
  return goJsonResponse(refusal.status, `{"error":${goStdJsonString(refusal.error)}}`);
}

/** A JSON result as Go writes it (`json.Encoder`: a trailing newline), or its refusal. */
export function resultResponse(result: JsonResult, status = 200): Response {
  return result.ok ? goJsonResponse(status, result.json) : refusalResponse(result);
}
