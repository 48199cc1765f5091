import { assertEquals } from "@std/assert";
import { healthApp } from "../../../mod/dmsg_http/mod.ts";
import { PROTOCOLS, VERSION } from "../../../mod/version/mod.ts";

const PK = "02" + "ab".repeat(32);

Deno.test("healthApp answers Go's health fields plus build, uptime and sessions", async () => {
  let now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const app = healthApp({
    role: "dmsg_server",
    pk: PK,
    startedAt: new Date(now),
    now: () => now,
    sessions: () => ({ count: 2, client_pks: ["c1", "c2"] }),
    availableSessions: () => 2046,
  });
  now += 90_500;
  const response = await app.fetch(new Request(`http://${PK}:80/health`));
  assertEquals(response.headers.get("content-type"), "application/json");
  assertEquals(await response.json(), {
    build_info: {
      version: VERSION,
      commit: "",
      date: "",
      deno: Deno.version.deno,
      target: Deno.build.target,
    },
    started_at: "2026-01-01T12:00:00.000Z",
    dmsg_address: `${PK}:80`,
    role: "dmsg_server",
    pk: PK,
    uptime_seconds: 90,
    protocols: PROTOCOLS,
    sessions: { count: 2, client_pks: ["c1", "c2"] },
    available_sessions: 2046,
  });
  assertEquals((await app.fetch(new Request(`http://${PK}:80/other`))).status, 404);
});

Deno.test("a visor's health has no available_sessions", async () => {
  const app = healthApp({ role: "visor", pk: PK, sessions: () => ({ count: 0, server_pks: [] }) });
  const body = await (await app.fetch(new Request(`http://${PK}/health`))).json();
  assertEquals([body.role, "available_sessions" in body, body.sessions], [
    "visor",
    false,
    { count: 0, server_pks: [] },
  ]);
});
