/**
 * Malformed requests at the UI's entry points (login forms and JSON, first password, live
 * stream parameters, cookies, API keys) from a seeded PRNG: every answer is a clean 4xx (or a
 * redirect), never a 500, never a hang, and nothing gets a session.
 */
import { assert, assertEquals } from "@std/assert";
import { createLogger } from "../../mod/log/mod.ts";
import { setPassword } from "../../ui/mod.ts";
import { createUiApp } from "../../ui/app.ts";
import { Prng } from "../_util/prng.ts";
import { PASSWORD, startTestNode, TEST_SCRYPT } from "./_node.ts";

const decoder = new TextDecoder("utf-8", { fatal: false });

function junk(prng: Prng, max: number): string {
  const n = prng.int(max);
  const kind = prng.int(4);
  if (kind === 0) return decoder.decode(prng.bytes(n));
  if (kind === 1) return "%".repeat(n) + "=&=;";
  if (kind === 2) {
    return JSON.stringify({ username: prng.pick(["admin", "", null, 1]), password: prng.int(9) });
  }
  return Array.from({ length: n }, () => String.fromCharCode(prng.int(0x80))).join("");
}

Deno.test("fuzz: malformed logins, forms, cookies and stream parameters get clean answers", async () => {
  await using node = await startTestNode();
  await setPassword(node.network.visor.store.kv, PASSWORD, { scrypt: TEST_SCRYPT });
  const ui = createUiApp({
    api: (await node.network.ui.app()).api,
    kv: () => node.network.visor.store.kv,
    logger: createLogger({ level: "fatal" }),
    scrypt: TEST_SCRYPT,
    // Fuzzing is not brute force: let every attempt reach the handlers.
    loginRate: { ratePerSecond: 1e6, burst: 1e6 },
  });
  const env = { remoteAddr: { hostname: "127.0.0.1" } };
  const prng = new Prng(0x5eed12);
  const targets = [
    ["POST", "/login"],
    ["POST", "/setup"],
    ["POST", "/api/login"],
    ["POST", "/api/create-account"],
    ["POST", "/api/change-password"],
    ["POST", "/stores/check"],
    ["GET", "/events"],
    ["GET", "/logs"],
    ["GET", "/api/visors/x/summary"],
  ] as const;
  const types = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=zz",
    "text/plain",
    "",
  ];
  for (let i = 0; i < 400; i++) {
    const [method, path] = prng.pick(targets);
    const headers = new Headers();
    const type = prng.pick(types);
    if (type) headers.set("content-type", type);
    if (prng.int(2)) {
      headers.set(
        "cookie",
        `swm-session=${junk(prng, 60)}; swm-csrf=${junk(prng, 60)}`.replace(/[^\x20-\x7e]/g, ""),
      );
    }
    if (prng.int(3) === 0) headers.set("x-csrf-token", junk(prng, 50).replace(/[^\x20-\x7e]/g, ""));
    const query = prng.int(2)
      ? `?topics=${encodeURIComponent(junk(prng, 40))}&after=${
        encodeURIComponent(junk(prng, 8))
      }&level=${encodeURIComponent(junk(prng, 8))}&next=${encodeURIComponent(junk(prng, 20))}`
      : "";
    const response = await ui.app.request(path + query, {
      method,
      headers,
      body: method === "POST" ? junk(prng, 300) : undefined,
    }, env);
    assert(response.status < 500, `${method} ${path}${query} → ${response.status}`);
    assert(
      !response.headers.getSetCookie().some((c) =>
        c.startsWith("swm-session=") && !c.startsWith("swm-session=;")
      ),
      `${method} ${path} must not log anyone in`,
    );
    await response.body?.cancel();
  }
  assertEquals(ui.auth.sessions.size, 0);
  ui.close();
});
