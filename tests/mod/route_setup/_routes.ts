// Routes for the tests: Go's captured one, and routes over fresh keys.
import { generateKeyPair, hexToBytes, makeTransportId, PubKey } from "../../../mod/cipher/mod.ts";
import { RouteDescriptor, type routingGob } from "../../../mod/routing/mod.ts";
import { vectors2024 } from "../gob/_vectors.ts";

/** Go's route-setup capture (skywire 2024 vectors). */
export const goSetup = vectors2024.rpc.route_setup;

// deno-lint-ignore no-explicit-any
type Json = any;

/** A route from its vector JSON. */
export function routeFromVector(args: Json): routingGob.BidirectionalRoute {
  const hops = (list: Json[]) =>
    list.map((h) => ({ TpID: h.TpID, From: PubKey.fromHex(h.From), To: PubKey.fromHex(h.To) }));
  return {
    Desc: hexToBytes(args.Desc.bytes),
    KeepAlive: BigInt(args.KeepAlive_ns),
    Forward: hops(args.Forward),
    Reverse: hops(args.Reverse),
  };
}

/** Hops along `path` (keys), one dmsg transport per pair. */
export function hopsAlong(path: PubKey[]): routingGob.Hop[] {
  return path.slice(1).map((to, i) => ({
    TpID: makeTransportId(path[i], to, "dmsg"),
    From: path[i],
    To: to,
  }));
}

/** A route from `path[0]` to its last key and back the same way. */
export function routeAlong(path: PubKey[], ports: [number, number] = [49153, 3]) {
  const desc = RouteDescriptor.create({
    srcPk: path[0],
    dstPk: path.at(-1)!,
    srcPort: ports[0],
    dstPort: ports[1],
  });
  return {
    Desc: desc.bytes,
    KeepAlive: 30_000_000_000n,
    Forward: hopsAlong(path),
    Reverse: hopsAlong([...path].reverse()),
  } satisfies routingGob.BidirectionalRoute;
}

/** `n` fresh public keys. */
export function keys(n: number): PubKey[] {
  return Array.from({ length: n }, () => generateKeyPair().pk);
}
