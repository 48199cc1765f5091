/**
 * The discovery's rate limits and where they are set: per remote IP first (one client stuck in
 * a request loop is stopped without touching the others), then, if set, one budget for the
 * whole service. Set by flags (`--rate-limit`, `--rate-limit-burst`, `--global-rate-limit`,
 * `--global-rate-limit-burst`) over the config file's `rate_limit` object (`per_ip`,
 * `per_ip_burst`, `global`, `global_burst`), over the defaults. A rate of 0 (or `off`) turns
 * that limit off.
 *
 * @module
 */
import type { RateLimitOptions } from "../../mod/http/mod.ts";

/**
 * Default per-IP limit. A fleet behind one NAT shares one address: a few thousand visors
 * refreshing every few minutes and looking up peers stay far below 2,000 requests/s, and a
 * single client in a tight loop is still held to it.
 */
export const DEFAULT_RATE_LIMIT: Readonly<RateLimitOptions> = {
  ratePerSecond: 2_000,
  burst: 4_000,
};

/** The limits a discovery runs with. */
export interface DiscoveryRateLimits {
  /** Per remote IP, or `false` for none. */
  perIp: RateLimitOptions | false;
  /** For all requests together (checked after the per-IP one), or `false` for none (default). */
  global: RateLimitOptions | false;
}

/** The defaults: {@linkcode DEFAULT_RATE_LIMIT} per IP, no global limit. */
export const DEFAULT_RATE_LIMITS: Readonly<DiscoveryRateLimits> = {
  perIp: DEFAULT_RATE_LIMIT,
  global: false,
};

/** Settings as given (config file or flags); absent ones keep the value below them. */
export interface RateLimitSettings {
  /** Per-IP requests per second; 0 = off. */
  perIp?: number;
  /** Per-IP burst (default twice the rate). */
  perIpBurst?: number;
  /** Service-wide requests per second; 0 = off. */
  global?: number;
  /** Service-wide burst (default twice the rate). */
  globalBurst?: number;
}

/** A rate limit setting that makes no sense. */
export class RateLimitConfigError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "RateLimitConfigError";
  }
}

function limit(
  rate: number | undefined,
  burst: number | undefined,
  base: RateLimitOptions | false,
): RateLimitOptions | false {
  if (rate === undefined && burst === undefined) return base;
  const perSecond = rate ?? (base ? base.ratePerSecond : 0);
  if (perSecond === 0) return false;
  const fallbackBurst = rate === undefined && base ? base.burst : Math.max(1, 2 * perSecond);
  return { ratePerSecond: perSecond, burst: burst ?? fallbackBurst };
}

/** `settings` applied over `base` (later sources over earlier ones: defaults, config, flags). */
export function applyRateLimitSettings(
  base: DiscoveryRateLimits,
  settings: RateLimitSettings,
): DiscoveryRateLimits {
  for (const [name, value] of Object.entries(settings)) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RateLimitConfigError(`rate limit ${name} must be a number >= 0, got ${value}`);
    }
  }
  if (settings.perIpBurst !== undefined && settings.perIpBurst < 1) {
    throw new RateLimitConfigError("rate limit per_ip_burst must be at least 1");
  }
  if (settings.globalBurst !== undefined && settings.globalBurst < 1) {
    throw new RateLimitConfigError("rate limit global_burst must be at least 1");
  }
  return {
    perIp: limit(settings.perIp, settings.perIpBurst, base.perIp),
    global: limit(settings.global, settings.globalBurst, base.global),
  };
}

const CONFIG_KEYS: Record<string, keyof RateLimitSettings> = {
  per_ip: "perIp",
  per_ip_burst: "perIpBurst",
  global: "global",
  global_burst: "globalBurst",
};

/**
 * The `rate_limit` object of a discovery config file (`{"rate_limit": {"per_ip": 2000, …}}`):
 * numbers, or `"off"` for a rate. Unknown keys are refused, so a typo is not silently ignored.
 */
export function rateLimitSettingsFromConfig(config: unknown): RateLimitSettings {
  if (config === undefined || config === null) return {};
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new RateLimitConfigError("rate_limit must be an object");
  }
  const settings: RateLimitSettings = {};
  for (const [key, value] of Object.entries(config)) {
    const field = CONFIG_KEYS[key];
    if (!field) throw new RateLimitConfigError(`rate_limit: unknown key "${key}"`);
    if (value === "off" && (field === "perIp" || field === "global")) settings[field] = 0;
    else if (typeof value === "number") settings[field] = value;
    else throw new RateLimitConfigError(`rate_limit.${key} must be a number`);
  }
  return settings;
}

/** A rate flag's text: a number >= 0, or `off` (0). */
export function parseRateText(text: string): number | undefined {
  if (text === "off") return 0;
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  return Number(text);
}
