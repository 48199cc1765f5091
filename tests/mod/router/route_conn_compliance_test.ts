// Route groups against the ByteStream contract: a 1-hop group inside Noise KK, a plain one, and
// a Noise group over a 3-hop route (two relays), each over real stcp transports on 127.0.0.1.
import type { ByteStreamSubject } from "../../_util/byte_stream_compliance.ts";
import { testByteStream } from "../../_util/byte_stream_compliance.ts";
import type { RouterOptions } from "../../../mod/router/mod.ts";
import { routerIdle, TestRoutes, type TestVisor } from "./_net.ts";

async function subject(
  hops: number,
  options: Partial<RouterOptions> = {},
): Promise<ByteStreamSubject> {
  const net = new TestRoutes();
  const visors: TestVisor[] = [];
  for (let i = 0; i <= hops; i++) visors.push(await net.visor(options));
  for (let i = 0; i < hops; i++) await net.link(visors[i], visors[i + 1]);
  const a = visors[0], b = visors[hops];
  const listener = b.router.listen(3);
  return {
    async pair() {
      const [conn, accepted] = await Promise.all([a.dialer.dial(b.pk, 3), listener.accept()]);
      return {
        a: conn,
        b: accepted!,
        released: () => visors.every((v) => routerIdle(v.router)),
      };
    },
    async close() {
      listener.close();
      await net[Symbol.asyncDispose]();
    },
  };
}

testByteStream("route group, 1 hop, Noise KK", () => subject(1), { sanitize: false });
testByteStream("route group, 1 hop, plain", () => subject(1, { encrypt: false }), {
  sanitize: false,
});
testByteStream("route group, 3 hops, Noise KK", () => subject(3), { sanitize: false });
