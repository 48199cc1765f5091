/**
 * Gob descriptions of the Go types Skywire sends: dmsg's stream request/response and the
 * route setup RPC arguments and replies. Each constant is both the description (pass it to
 * `encodeGob`/`decodeGob`/RPC calls) and, as a type, the TypeScript value it maps to.
 *
 * @module
 */
export { PubKey, SHA256 } from "./cipher.ts";
export {
  Addr,
  ErrorCode,
  IP,
  StreamRequest,
  StreamRequestV2026,
  StreamResponse,
  StreamResponseV2026,
} from "./dmsg.ts";
export {
  BidirectionalRoute,
  Duration,
  EdgeRules,
  Hop,
  Hops,
  RouteDescriptor,
  RouteID,
  RouteIDs,
  Rule,
  Rules,
  UUID,
} from "./routing.ts";
