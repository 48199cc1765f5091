import { assertEquals, assertRejects } from "@std/assert";
import { dmsgAppNet } from "../../../mod/appnet/mod.ts";
import { readFull, writeAll } from "../../../mod/conn/mod.ts";
import { testNetwork } from "../dmsg/_harness.ts";

Deno.test("appnet over dmsg: dial a visor's port, accept on ours, addresses both ways", async () => {
  await using net = await testNetwork();
  await net.server();
  const a = await net.client();
  const b = await net.client();
  await Promise.all([a.ready(), b.ready()]);
  const listener = dmsgAppNet(b).listen(7);
  const [dialed, accepted] = await Promise.all([
    dmsgAppNet(a).dial(b.pk, 7, { minHops: 3 }), // minHops means nothing on dmsg
    listener.accept(),
  ]);
  assertEquals(dialed.remoteAddr?.pk.hex(), b.pk.hex());
  assertEquals(accepted?.remoteAddr?.pk.hex(), a.pk.hex());
  await writeAll(dialed, Uint8Array.of(1, 2, 3));
  const got = new Uint8Array(3);
  await readFull(accepted!, got);
  assertEquals(got, Uint8Array.of(1, 2, 3));
  dialed.close();
  accepted!.close();
  listener.close();
  assertEquals(await listener.accept(), null);
  await assertRejects(() => dmsgAppNet(a).dial(b.pk, 7));
});
