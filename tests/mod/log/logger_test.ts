import { assert, assertEquals, assertMatch } from "@std/assert";
import { createLogger, parseLogLevel } from "../../../mod/log/mod.ts";

function capture(
  level: Parameters<typeof createLogger>[0] extends infer O ? O extends { level?: infer L } ? L
    : never
    : never,
) {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level, component: "test", sink: (l) => lines.push(l) }) };
}

Deno.test("a log line is one line with time, level, component, message and fields", () => {
  const { lines, logger } = capture("info");
  logger.info("session opened\nsecond line", { pk: "02ab", port: 80, note: "two words" });
  assertEquals(lines.length, 1);
  assertMatch(
    lines[0],
    /^\d{4}-\d\d-\d\dT\S+Z INFO {2}\[test\] session opened second line pk=02ab port=80 note="two words"$/,
  );
});

Deno.test("levels below the threshold are dropped", () => {
  const { lines, logger } = capture("warn");
  logger.debug("no");
  logger.info("no");
  logger.warn("yes");
  logger.error("yes");
  assertEquals(lines.length, 2);
  assert(!logger.enabled("info"));
});

Deno.test("secret-looking fields are redacted", () => {
  const { lines, logger } = capture("info");
  logger.info("config", { sk: "deadbeef", secret_key: "x", password: "p", token: "t", pk: "02" });
  assert(!lines[0].includes("deadbeef"));
  assertMatch(
    lines[0],
    /sk=\[redacted\] secret_key=\[redacted\] password=\[redacted\] token=\[redacted\] pk=02/,
  );
});

Deno.test("child loggers nest component names and keep fields", () => {
  const { lines, logger } = capture("info");
  logger.child("dmsg", { pk: "02" }).child("session").warn("gone", { code: 201 });
  assertMatch(lines[0], /WARN {2}\[test\/dmsg\/session\] gone pk=02 code=201$/);
});

Deno.test("parseLogLevel accepts Skywire's names", () => {
  assertEquals(parseLogLevel("INFO"), "info");
  assertEquals(parseLogLevel("warning"), "warn");
  assertEquals(parseLogLevel("loud"), undefined);
});
