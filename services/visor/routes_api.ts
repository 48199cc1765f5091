import { PubKey } from "../../mod/cipher/mod.ts";
import { NoRouteError } from "../../mod/router/mod.ts";
import { isRouteId, type Rule, ruleFromSummary, ruleSummary } from "../../mod/routing/mod.ts";
import {
  type PingRequest,
  type RouteGroupSummary,
  type RoutesApi,
  type RuleSummary,
  VisorApiError,
} from "./api_types.ts";
import type { VisorRouting } from "./routing.ts";

/** Longest ping a request may ask for: tries and size are bounded so a request ends. */
const MAX_PING_TRIES = 100;
const MAX_PING_SIZE_KB = 1024;

function routeId(id: number): number {
  if (!isRouteId(id) || id === 0) throw new VisorApiError(400, `invalid route id ${id}`);
  return id;
}

function count(value: number | undefined, what: string, min: number, max: number) {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new VisorApiError(400, `${what}: want ${min}..${max}`);
  }
  return value;
}

/** The message of an error and its causes ("a: b"), without repeats. */
function causeText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 4; depth++) {
    const message = e instanceof Error ? e.message : String(e);
    if (!parts.some((part) => part.includes(message))) parts.push(message);
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(": ");
}

/** The {@linkcode RoutesApi} over a visor's routing. */
export function routesApi(routing: VisorRouting): RoutesApi {
  const { router, pinger } = routing;
  const find = (id: number): Rule => {
    const rule = router.rule(routeId(id));
    if (!rule) throw new VisorApiError(404, `no rule with route id ${id}`);
    return rule;
  };
  return {
    rules: () =>
      Promise.resolve(
        router.rules().sort((a, b) => a.keyRouteId - b.keyRouteId).map((rule) => ruleSummary(rule)),
      ),
    rule: (id) => Promise.resolve().then(() => ruleSummary(find(id))),
    addRule(summary: RuleSummary) {
      return Promise.resolve().then(() => {
        let rule: Rule;
        try {
          rule = ruleFromSummary(summary);
        } catch (error) {
          throw new VisorApiError(400, (error as Error).message);
        }
        routeId(rule.keyRouteId);
        router.saveRule(rule);
        return rule.keyRouteId;
      });
    },
    removeRule(id) {
      return Promise.resolve().then(() => {
        find(id);
        router.deleteRules([id]);
      });
    },
    groups: () =>
      Promise.resolve(
        router.routeGroups().map((g): RouteGroupSummary => ({
          local_pk: g.local.pk,
          local_port: g.local.port,
          remote_pk: g.remote.pk,
          remote_port: g.remote.port,
          forward_route_id: g.forwardRouteId,
          consume_route_id: g.consumeRouteId,
          transport_id: g.transportId,
          initiator: g.initiator,
          state: g.state,
          latency_ms: g.latencyMs ?? null,
          log: { sent: g.bytesSent, recv: g.bytesReceived },
        })),
      ),
    async ping(request: PingRequest) {
      let pk: PubKey;
      try {
        pk = PubKey.fromHex(request.pk);
      } catch (error) {
        throw new VisorApiError(400, `pk: ${(error as Error).message}`);
      }
      if (pk.equals(router.pk)) throw new VisorApiError(400, "Visor cannot ping itself");
      const tries = count(request.tries, "tries", 1, MAX_PING_TRIES) ?? 1;
      const sizeKb = count(request.size_kb, "size_kb", 1, MAX_PING_SIZE_KB) ?? 2;
      const minHops = count(request.min_hops, "min_hops", 0, 16);
      try {
        const result = await pinger.ping(pk, { tries, sizeKb, minHops });
        return {
          pk: pk.hex(),
          latencies_ms: result.latenciesMs,
          size_kb: sizeKb,
          hops: result.hops,
          encrypted: result.encrypted,
        };
      } catch (error) {
        if (error instanceof NoRouteError) {
          throw new VisorApiError(404, `no route to ${pk.hex()}: ${causeText(error)}`);
        }
        throw new VisorApiError(502, causeText(error), { cause: error });
      }
    },
  };
}
