/**
 * One route set-up, as a setup node runs it for `DialRouteGroup` (Go `CreateRouteGroup`): dial
 * every visor of the route on dmsg port 136, reserve route ids on each, build the rules, send
 * the intermediaries theirs, send the destination its edge rules, and return the initiator's.
 *
 * @module
 */
import type { PubKey } from "../cipher/mod.ts";
import type { ByteStream } from "../conn/mod.ts";
import type { GobTypeRegistry } from "../gob/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { RouteId, routingGob } from "../routing/mod.ts";
import { HOP_TIMEOUT_MS } from "./constants.ts";
import { RouteSetupError } from "./errors.ts";
import { hopStep, settleAll } from "./_hop_step.ts";
import { RouterClient } from "./router_client.ts";
import { checkRoute, reservationCounts } from "./route_check.ts";
import { generateRules } from "./rules.ts";

/**
 * Opens a stream to a visor's router (dmsg port 136) from the setup node's key. It should
 * stop when `signal` aborts; a stream it still delivers afterwards is closed.
 */
export type HopDialer = (pk: PubKey, signal: AbortSignal) => Promise<ByteStream>;

/** Options for {@linkcode createRouteGroup}. */
export interface CreateRouteGroupOptions {
  /** How visors are reached. */
  dial: HopDialer;
  /** Limit of each dial and each call to a visor, ms (default 10 s). */
  hopTimeoutMs?: number;
  /** Abandons the set-up (every dial and call stops; the streams are closed). */
  signal?: AbortSignal;
  /** Gob type ids for the calls to the visors (default a fresh table per visor). */
  registry?: GobTypeRegistry;
  /** Debug lines per step. */
  logger?: Logger;
}

function closeLate(stream: ByteStream): void {
  try {
    stream.close();
  } catch {
    // Already closed.
  }
}

/**
 * Set up `route` and resolve the initiator's edge rules. Every visor is dialed once and its
 * stream closed before this settles, on every path; failures are
 * {@linkcode RouteSetupError}s naming the visor and the step.
 */
export async function createRouteGroup(
  route: routingGob.BidirectionalRoute,
  options: CreateRouteGroupOptions,
): Promise<routingGob.EdgeRules> {
  const desc = checkRoute(route);
  const counts = reservationCounts(route);
  const keys = new Map<string, PubKey>();
  for (const hop of [...route.Forward, ...route.Reverse]) {
    keys.set(hop.From.hex(), hop.From);
    keys.set(hop.To.hex(), hop.To);
  }
  const timeoutMs = options.hopTimeoutMs ?? HOP_TIMEOUT_MS;
  const log = options.logger;
  const abort = new AbortController();
  const onOuter = () => abort.abort(options.signal?.reason);
  if (options.signal?.aborted) onOuter();
  else options.signal?.addEventListener("abort", onOuter, { once: true });
  const clients = new Map<string, RouterClient>();
  const client = (hex: string) => clients.get(hex)!;
  try {
    await settleAll(
      [...counts.keys()].map((hex) => async () => {
        const stream = await hopStep({
          what: `dial ${hex}@136`,
          code: "dial",
          timeoutMs,
          signal: abort.signal,
          run: (signal) => options.dial(keys.get(hex)!, signal),
          late: closeLate,
        });
        clients.set(hex, new RouterClient(stream, { registry: options.registry }));
      }),
      abort,
    );
    log?.debug("route visors dialed", { visors: clients.size });

    const reserved = new Map<string, RouteId[]>();
    await settleAll(
      [...counts].map(([hex, n]) => async () => {
        const ids = await hopStep({
          what: `reserve ${n} route ids on ${hex}`,
          code: "reserve",
          timeoutMs,
          signal: abort.signal,
          run: (signal) => client(hex).reserveIds(n, signal),
        });
        if (ids.length < n || ids.includes(0)) {
          throw new RouteSetupError(
            "reserve",
            `reserve ${n} route ids on ${hex}: got ${JSON.stringify(ids)}`,
          );
        }
        reserved.set(hex, ids);
      }),
      abort,
    );
    const rules = generateRules(route, desc, reserved);

    await settleAll(
      rules.intermediaries.map(({ pk, rules }) => async () => {
        const hex = pk.hex();
        const ok = await hopStep({
          what: `add ${rules.length} intermediary rules on ${hex}`,
          code: "rules",
          timeoutMs,
          signal: abort.signal,
          run: (signal) => client(hex).addIntermediaryRules(rules, signal),
        });
        if (!ok) throw new RouteSetupError("rules", `${hex} refused its intermediary rules`);
      }),
      abort,
    );
    const dst = desc.dstPkHex;
    const ok = await hopStep({
      what: `add edge rules on ${dst}`,
      code: "rules",
      timeoutMs,
      signal: abort.signal,
      run: (signal) => client(dst).addEdgeRules(rules.responder, signal),
    });
    if (!ok) throw new RouteSetupError("rules", `${dst} refused its edge rules`);
    log?.debug("route set up", {
      src: desc.srcPkHex,
      dst,
      forward_hops: route.Forward.length,
      reverse_hops: route.Reverse.length,
    });
    return rules.initiator;
  } finally {
    options.signal?.removeEventListener("abort", onOuter);
    abort.abort();
    await Promise.all([...clients.values()].map((c) => c.close()));
  }
}
