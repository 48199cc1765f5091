import { PubKey, SecKey } from "../cipher/mod.ts";
import { ConfigError } from "./errors.ts";
import { CONFIG_SCHEMA } from "./schema.ts";
import { parseSpec } from "./spec.ts";
import type { SkywireConfig } from "./types.ts";

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

/**
 * Parse and validate the text of `skywire-config.json`.
 *
 * Unknown fields become warnings; a wrong type, a missing required field, a malformed key or a
 * `pk` that does not belong to `sk` is a {@linkcode ConfigError} naming the field.
 */
export function parseConfig(text: string): ParsedConfig {
  const { value: config, warnings } = parseSpec(CONFIG_SCHEMA, text);
  const sk = SecKey.fromHex(config.sk);
  const pk = PubKey.fromHex(config.pk);
  if (!sk.pubKey().equals(pk)) {
    throw new ConfigError(`config field "pk" does not belong to the secret key in "sk"`);
  }
  return { config, sk, pk, warnings };
}
