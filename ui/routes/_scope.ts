import type { Context, MiddlewareHandler } from "hono";
import { PubKey } from "../../mod/cipher/mod.ts";
import type { VisorApi } from "../../services/visor/api.ts";
import type { FleetVisor } from "../../services/visor/fleet_types.ts";
import type { UiDeps, UiEnv } from "../context.ts";

/** The visor a request is about, and where its pages live. */
export interface VisorScope {
  /** The visor shown. */
  readonly visor: FleetVisor;
  /** Prefix of its pages: `""` for this node's top-level pages, `/visors/<pk>` otherwise. */
  readonly base: string;
}

/** Why a visor cannot be shown now. */
export type Unreachable = { status: 400 | 404 | 503; message: string };

/** The pages of a visor under `/visors/<pk>`. */
export function visorBase(pk: string): string {
  return `/visors/${pk}`;
}

/** A page of a scope: `/`, `/dmsg` for this node; `/visors/<pk>`, `/visors/<pk>/dmsg` else. */
export function scopePath(scope: VisorScope, page: string): string {
  if (page === "/" || page === "") return scope.base || "/";
  return scope.base + page;
}

/** The API of the request's visor. */
export function scopeApi(c: Context<UiEnv>): VisorApi {
  return c.get("scope").visor.api;
}

/**
 * Refresh a visor's state, giving up after `timeoutMs`; resolves the reason it failed, or
 * `undefined` when the state is current. The timer is released on every path.
 */
export async function refreshWithin(
  visor: FleetVisor,
  timeoutMs: number,
): Promise<string | undefined> {
  if (visor.local) return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([
      visor.refresh().then(() => undefined, (error) => String((error as Error)?.message ?? error)),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Find the visor a `:pk` path parameter names in the fleet and refresh it: the visor, or why it
 * cannot be shown (400 not a key, 404 not connected, 503 connected but not answering).
 */
export async function resolveVisor(
  deps: UiDeps,
  text: string,
): Promise<FleetVisor | Unreachable> {
  try {
    PubKey.fromHex(text);
  } catch {
    return { status: 400, message: "invalid public key" };
  }
  const visor = deps.fleet.get(text.toLowerCase());
  if (!visor) {
    return { status: 404, message: `visor ${text} is not connected to this hypervisor` };
  }
  const failed = await refreshWithin(visor, deps.fleetTimeoutMs);
  if (failed !== undefined) {
    return { status: 503, message: `visor ${text} is not answering: ${failed}` };
  }
  return visor;
}

/** Whether {@linkcode resolveVisor} found nothing to show. */
export function isUnreachable(value: FleetVisor | Unreachable): value is Unreachable {
  return "status" in value && "message" in value && !("api" in value);
}

/** Every request it runs for is about this node (the top-level pages). */
export function localScope(deps: UiDeps): MiddlewareHandler<UiEnv> {
  const scope: VisorScope = { visor: deps.self, base: "" };
  return async (c, next) => {
    c.set("scope", scope);
    await next();
  };
}

/**
 * Requests under `/visors/:pk` are about the visor `:pk` of the fleet, refreshed; for one that
 * cannot be shown, `unreachable` answers.
 */
export function fleetScope(
  deps: UiDeps,
  unreachable: (c: Context<UiEnv>, why: Unreachable) => Response | Promise<Response>,
): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    const found = await resolveVisor(deps, c.req.param("pk") ?? "");
    if (isUnreachable(found)) return await unreachable(c, found);
    c.set("scope", { visor: found, base: visorBase(found.pk) });
    await next();
  };
}
