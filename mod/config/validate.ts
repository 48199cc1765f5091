import { PubKey, SecKey } from "../cipher/mod.ts";
import { parseDuration } from "./duration.ts";
import { defaultStore, defaultUpdater } from "./generate.ts";
import { CONFIG_SCHEMA, type Spec } from "./schema.ts";
import type { SkywireConfig } from "./types.ts";

/** A config file that cannot be used; the message names the field (never a secret value). */
export class ConfigError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** A validated config with its keys decoded. */
export interface ParsedConfig {
  /** The config, with our optional sections filled with defaults. */
  config: SkywireConfig;
  /** The visor's secret key. */
  sk: SecKey;
  /** The visor's public key. */
  pk: PubKey;
  /** Non-fatal findings, such as unknown fields. */
  warnings: string[];
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function check(spec: Spec, value: unknown, path: string, warnings: string[]): void {
  const fail = (want: string) => {
    throw new ConfigError(`config field "${path}": want ${want}, got ${describe(value)}`);
  };
  switch (spec.kind) {
    case "string":
      if (typeof value !== "string") fail("a string");
      return;
    case "bool":
      if (typeof value !== "boolean") fail("true or false");
      return;
    case "int":
      if (typeof value !== "number" || !Number.isInteger(value)) fail("an integer");
      if ((value as number) < spec.min || (value as number) > spec.max) {
        throw new ConfigError(
          `config field "${path}": ${value} is outside ${spec.min}..${spec.max}`,
        );
      }
      return;
    case "enum":
      if (typeof value !== "string" || !spec.values.includes(value)) {
        throw new ConfigError(
          `config field "${path}": want one of ${spec.values.filter(Boolean).join(", ")}`,
        );
      }
      return;
    case "duration":
      if (typeof value !== "string" || parseDuration(value) === undefined) {
        throw new ConfigError(`config field "${path}": want a duration such as "10s" or "1h0m0s"`);
      }
      return;
    case "pk":
      if (typeof value !== "string") fail("a public key (66 hex characters)");
      try {
        PubKey.fromHex(value as string);
      } catch (error) {
        throw new ConfigError(`config field "${path}": ${(error as Error).message}`);
      }
      return;
    case "sk":
      // The value itself is never put in the message.
      if (typeof value !== "string") fail("a secret key (64 hex characters)");
      try {
        SecKey.fromHex(value as string);
      } catch (error) {
        throw new ConfigError(`config field "${path}": ${(error as Error).message}`);
      }
      return;
    case "array":
      if (value === null && spec.nullable) return;
      if (!Array.isArray(value)) fail("a list");
      (value as unknown[]).forEach((item, i) => check(spec.items, item, `${path}[${i}]`, warnings));
      return;
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) fail("an object");
      const record = value as Record<string, unknown>;
      for (const [name, child] of Object.entries(spec.fields)) {
        const childPath = path ? `${path}.${name}` : name;
        if (!(name in record) || record[name] === undefined) {
          if (!child.optional) throw new ConfigError(`config field "${childPath}" is missing`);
          continue;
        }
        if (record[name] === null && child.optional && child.kind !== "array") continue;
        check(child, record[name], childPath, warnings);
      }
      if (!spec.open) {
        for (const name of Object.keys(record)) {
          if (!(name in spec.fields)) {
            warnings.push(`unknown config field "${path ? `${path}.${name}` : name}" (ignored)`);
          }
        }
      }
      return;
    }
  }
}

/**
 * Parse and validate the text of `skywire-config.json`.
 *
 * Unknown fields become warnings; a wrong type, a missing required field, a malformed key or a
 * `pk` that does not belong to `sk` is a {@linkcode ConfigError} naming the field.
 */
export function parseConfig(text: string): ParsedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config is not valid JSON: ${(error as Error).message}`);
  }
  const warnings: string[] = [];
  check(CONFIG_SCHEMA, raw, "", warnings);
  const config = raw as SkywireConfig;
  const sk = SecKey.fromHex(config.sk);
  const pk = PubKey.fromHex(config.pk);
  if (!sk.pubKey().equals(pk)) {
    throw new ConfigError(`config field "pk" does not belong to the secret key in "sk"`);
  }
  config.store = { ...defaultStore(), ...config.store };
  config.updater = { ...defaultUpdater(), ...config.updater };
  return { config, sk, pk, warnings };
}
