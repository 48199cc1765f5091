import type { KeyPair, PubKey } from "../cipher/mod.ts";
import { NoiseStream, performHandshake } from "../noise/mod.ts";
import { HANDSHAKE_AWAIT_TIMEOUT_MS, ROUTE_NOISE_TIMEOUT_MS } from "./constants.ts";
import { RouteDialError } from "./errors.ts";
import { RouteConn } from "./route_conn.ts";
import type { RouteGroup } from "./route_group.ts";

/** How a fresh route group becomes a {@linkcode RouteConn}. */
export interface EstablishOptions {
  /** Whether we dialed: the dialer sends its Handshake first and starts Noise. */
  initiator: boolean;
  /** Whether we offer encryption (Go always does). */
  encrypt: boolean;
  /** Our keys, for Noise KK. */
  keyPair: KeyPair;
  /** The peer's key (the descriptor's source; ourselves on a loop route). */
  remotePk: PubKey;
  /** Wait for the peer's Handshake (default 2 s, Go's). */
  handshakeTimeoutMs?: number;
  /** Noise KK limit (default 5 s). */
  noiseTimeoutMs?: number;
}

/**
 * Go's route-group handshake: the dialer sends Handshake(encrypt) and waits up to 2 s for the
 * peer's, the accepting end waits for the dialer's and then sends its own. No Handshake in time
 * (or Data first) means a visor from before handshakes: plain bytes. When both ends asked for
 * encryption the group is wrapped in Noise KK (the dialer initiates), as Go's `EncryptConn`.
 * On failure the group is closed (the peer gets a Close) and {@linkcode RouteDialError} thrown.
 */
export async function establishGroup(
  group: RouteGroup,
  options: EstablishOptions,
): Promise<RouteConn> {
  const { initiator, encrypt } = options;
  try {
    if (initiator) await group.sendHandshake(encrypt);
    const peer = await group.peerHandshake(
      options.handshakeTimeoutMs ?? HANDSHAKE_AWAIT_TIMEOUT_MS,
    );
    if (!initiator) await group.sendHandshake(encrypt);
    let conn: RouteConn;
    if (encrypt && peer?.encrypt) {
      const keys = await performHandshake({
        pattern: "KK",
        initiator,
        localKeyPair: options.keyPair,
        remoteStatic: options.remotePk,
        stream: group,
        timeoutMs: options.noiseTimeoutMs ?? ROUTE_NOISE_TIMEOUT_MS,
      });
      conn = new RouteConn(group, new NoiseStream(group, keys), true);
    } else {
      conn = new RouteConn(group, group, false);
    }
    if (group.state !== "open") throw new Error("route group closed during its handshake");
    group.startServiceLoop();
    return conn;
  } catch (cause) {
    group.close();
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new RouteDialError("handshake", `route group handshake: ${message}`, { cause });
  }
}
