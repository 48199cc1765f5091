import { assertEquals, assertThrows } from "@std/assert";
import {
  applyRateLimitSettings,
  DEFAULT_RATE_LIMITS,
  parseRateText,
  RateLimitConfigError,
  rateLimitSettingsFromConfig,
} from "../../../services/dmsg_discovery/mod.ts";

Deno.test("rate limits: defaults, config over defaults, flags over config, 0 and off disable", () => {
  assertEquals(DEFAULT_RATE_LIMITS, {
    perIp: { ratePerSecond: 2_000, burst: 4_000 },
    global: false,
  });
  assertEquals(applyRateLimitSettings(DEFAULT_RATE_LIMITS, {}), DEFAULT_RATE_LIMITS);
  const config = applyRateLimitSettings(
    DEFAULT_RATE_LIMITS,
    rateLimitSettingsFromConfig({ per_ip: 500, global: 10_000, global_burst: 12_000 }),
  );
  assertEquals(config, {
    perIp: { ratePerSecond: 500, burst: 1_000 },
    global: { ratePerSecond: 10_000, burst: 12_000 },
  });
  // A burst alone keeps the rate below it.
  assertEquals(applyRateLimitSettings(config, { perIpBurst: 50 }).perIp, {
    ratePerSecond: 500,
    burst: 50,
  });
  // A rate alone gets twice itself as burst.
  assertEquals(applyRateLimitSettings(config, { global: 7 }).global, {
    ratePerSecond: 7,
    burst: 14,
  });
  assertEquals(applyRateLimitSettings(config, { perIp: 0, global: 0 }), {
    perIp: false,
    global: false,
  });
  assertEquals(rateLimitSettingsFromConfig({ per_ip: "off", global: "off" }), {
    perIp: 0,
    global: 0,
  });
  assertEquals(rateLimitSettingsFromConfig(undefined), {});
  // Fractional rates are fine (one request every 2 s); the burst is at least 1.
  assertEquals(applyRateLimitSettings(DEFAULT_RATE_LIMITS, { perIp: 0.25 }).perIp, {
    ratePerSecond: 0.25,
    burst: 1,
  });
});

Deno.test("rate limits: bad settings are refused with a reason", () => {
  for (
    const bad of [
      "nope",
      [1],
      { per_ip: -1 },
      { per_ip: "fast" },
      { per_ip_burst: "off" },
      { perIp: 5 },
      { global: Number.NaN },
    ]
  ) {
    assertThrows(
      () => applyRateLimitSettings(DEFAULT_RATE_LIMITS, rateLimitSettingsFromConfig(bad)),
      RateLimitConfigError,
      undefined,
      JSON.stringify(bad),
    );
  }
  assertThrows(
    () => applyRateLimitSettings(DEFAULT_RATE_LIMITS, { perIpBurst: 0 }),
    RateLimitConfigError,
  );
  assertEquals(parseRateText("off"), 0);
  assertEquals(parseRateText("0"), 0);
  assertEquals(parseRateText("1500"), 1500);
  assertEquals(parseRateText("2.5"), 2.5);
  for (const bad of ["", "-1", "1e3", "fast", " 1"]) assertEquals(parseRateText(bad), undefined);
});
