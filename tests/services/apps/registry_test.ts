import { assertEquals } from "@std/assert";
import { AppRegistry } from "../../../services/apps/mod.ts";

Deno.test("app registry: a stale or duplicate deregister is 'not found' and removes nothing", () => {
  const registry = new AppRegistry<{ run: number }>();
  const first = { run: 1 }, second = { run: 2 };
  assertEquals(registry.register("skysocks", first), true);
  assertEquals(registry.register("skysocks", second), false, "one live run per name");
  assertEquals(registry.deregister("skysocks", first), "ok");
  assertEquals(registry.deregister("skysocks", first), "not found", "duplicate");
  assertEquals(registry.register("skysocks", second), true);
  assertEquals(registry.deregister("skysocks", first), "not found", "stale");
  assertEquals(registry.get("skysocks"), second, "the newer run stays");
  assertEquals(registry.deregister("other", second), "not found");
  assertEquals(registry.size, 1);
});
