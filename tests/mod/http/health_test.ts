import { assertEquals } from "@std/assert";
import { healthJson } from "../../../mod/http/mod.ts";
import { VERSION } from "../../../mod/version/mod.ts";

Deno.test("healthJson is Go's HealthCheckResponse, with service_name first when given", () => {
  const at = new Date("2026-01-02T03:04:05.678Z");
  assertEquals(
    healthJson(at),
    `{"build_info":{"version":"${VERSION}","commit":"","date":""},"started_at":"2026-01-02T03:04:05.678Z"}`,
  );
  assertEquals(
    JSON.parse(healthJson(at, "transport-discovery")),
    {
      service_name: "transport-discovery",
      build_info: { version: VERSION, commit: "", date: "" },
      started_at: "2026-01-02T03:04:05.678Z",
    },
  );
  assertEquals(healthJson(at, "x").startsWith('{"service_name":"x",'), true);
});
