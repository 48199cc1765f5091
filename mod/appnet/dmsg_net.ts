import type { DmsgClient } from "../dmsg/mod.ts";
import type { AppNet } from "./app_net.ts";

/**
 * An {@linkcode AppNet} over dmsg (Go `appnet.TypeDmsg`): a dial is a dmsg stream to the
 * visor's port, a listener a dmsg port listener. `minHops` has no meaning on dmsg and is
 * ignored. The client stays the caller's.
 */
export function dmsgAppNet(client: DmsgClient): AppNet {
  return {
    dial: (pk, port, options = {}) => client.dialStream({ pk, port }, { signal: options.signal }),
    listen: (port) => client.listen(port),
  };
}
