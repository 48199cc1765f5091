import { assertEquals } from "@std/assert";
import { echo, roundTrip, testNetwork } from "./_harness.ts";

Deno.test("DmsgClient dials another client through a server and echoes bytes", async () => {
  await using net = await testNetwork();
  await net.server();
  const a = await net.client();
  const b = await net.client();
  await a.ready();
  await b.ready();
  const listener = b.listen(7);
  const served = (async () => {
    for await (const stream of listener) echo(stream);
  })();
  const stream = await a.dialStream({ pk: b.pk, port: 7 });
  const data = new TextEncoder().encode("hello dmsg");
  assertEquals(await roundTrip(stream, data), data);
  stream.close();
  listener.close();
  await served;
});
