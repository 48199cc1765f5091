/**
 * KeptBinding against our address resolver on 127.0.0.1: a bind made before the resolver is
 * up is retried until it holds, a binding is repeated before the resolver's expiry drops it,
 * and closing withdraws it.
 */
import { assertEquals, assertRejects } from "@std/assert";
import { join } from "node:path";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import {
  AddressNotFoundError,
  AddressResolverClient,
  KeptBinding,
} from "../../../mod/transport/mod.ts";
import { startAddressResolver } from "../../../services/address_resolver/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { tempDir } from "../../_util/temp_dir.ts";
import { freePort } from "../../interop/_go_ref.ts";

async function eventually(what: string, check: () => Promise<boolean> | boolean) {
  const end = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("KeptBinding retries until the resolver is up, refreshes before expiry, unbinds on close", async () => {
  await using dir = await tempDir();
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const keys = generateKeyPair();
  const logger = captureLogger("warn");
  const binding = new KeptBinding({
    resolver: new AddressResolverClient({ url, keys }),
    refreshMs: 100,
    retry: { initialMs: 50, maxMs: 200, factor: 2 },
    logger,
  });
  // Nobody listens yet: the first attempt fails, and is retried.
  await assertRejects(() => binding.bind(30_000, ["127.0.0.1"]));
  assertEquals(binding.bound, false);
  const ar = await startAddressResolver({
    addr: `127.0.0.1:${port}`,
    storePath: join(dir.path, "ar.kv"),
    testMode: true,
    bindTtlMs: 400, // dropped unless repeated
    logger: captureLogger("error"),
  });
  try {
    const probe = new AddressResolverClient({ url, keys: generateKeyPair() });
    await eventually("the retried bind", () => binding.bound);
    assertEquals((await probe.resolve(keys.pk)).port, "30000");
    // Well past the resolver's expiry, still bound: the binding was repeated.
    await new Promise((r) => setTimeout(r, 1_000));
    assertEquals((await probe.resolve(keys.pk)).port, "30000");
    // Refused the same way each time before the resolver came up: said once.
    assertEquals(logger.lines.filter((line) => line.includes("retrying")).length, 1);

    await binding.close();
    await assertRejects(() => probe.resolve(keys.pk), AddressNotFoundError);
    // Closed: a late bind does nothing.
    await binding.bind(30_001, ["127.0.0.1"]);
    await assertRejects(() => probe.resolve(keys.pk), AddressNotFoundError);
  } finally {
    await binding.close();
    await ar.close();
  }
});
