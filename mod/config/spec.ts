import { PubKey, SecKey } from "../cipher/mod.ts";
import { httpUrlProblem } from "../netutil/mod.ts";
import { parseDuration } from "./duration.ts";
import { ConfigError } from "./errors.ts";

// A config file is declared once as a spec; the TypeScript type of a checked file is derived
// from it (`Infer`), and `checkSpec` validates a parsed JSON value against it. The visor's
// `skywire-config.json` and the dmsg server's config use the same engine.

/** What any spec node may add: absent allowed, `null` allowed, a value when absent. */
export interface SpecModifiers {
  /** The field may be absent (or `null`, which counts as absent). */
  readonly optional?: boolean;
  /** `null` is a value of its own (Go writes `null` for an empty list). */
  readonly nullable?: boolean;
  /** The value an absent or `null` field takes. */
  readonly fill?: () => unknown;
}

/** A string. */
export interface StringSpec extends SpecModifiers {
  /** Discriminant. */
  readonly kind: "string";
}
/** An `http://` or `https://` URL (a service the node fetches from). */
export interface UrlSpec extends SpecModifiers {
  /** Discriminant. */
  readonly kind: "url";
}
/** A whole number within `min..max`. */
export interface IntSpec extends SpecModifiers {
  /** Discriminant. */
  readonly kind: "int";
  /** Smallest allowed. */
  readonly min: number;
  /** Largest allowed. */
  readonly max: number;
}
/** `true` or `false`. */
export interface BoolSpec extends SpecModifiers {
  /** Discriminant. */
  readonly kind: "bool";
}
/** A hex public key (`pk`) or secret key (`sk`; never echoed in errors). */
export interface KeySpec extends SpecModifiers {
  /** Discriminant. */
  readonly kind: "pk" | "sk";
}
/** A Go duration string such as `10s`. */
export interface DurationSpec extends SpecModifiers {
  /** Discriminant. */
  readonly kind: "duration";
}
/** One of a fixed set of strings. */
export interface EnumSpec<V extends string = string> extends SpecModifiers {
  /** Discriminant. */
  readonly kind: "enum";
  /** The allowed values. */
  readonly values: readonly V[];
}
/** A list of `items`. */
export interface ListSpec<I extends Spec = Spec> extends SpecModifiers {
  /** Discriminant. */
  readonly kind: "array";
  /** Spec of each item. */
  readonly items: I;
}
/** An object with known `fields`; unknown fields warn unless `open`. */
export interface ObjectSpec<F extends FieldSpecs = FieldSpecs, O extends boolean = boolean>
  extends SpecModifiers {
  /** Discriminant. */
  readonly kind: "object";
  /** The known fields. */
  readonly fields: F;
  /** Other fields are allowed and kept without a warning. */
  readonly open: O;
}
/** The fields of an object spec by name. */
export type FieldSpecs = { readonly [name: string]: Spec };
/** A node of a config spec. */
export type Spec =
  | StringSpec
  | UrlSpec
  | IntSpec
  | BoolSpec
  | KeySpec
  | DurationSpec
  | EnumSpec
  | ListSpec
  | ObjectSpec;

type Simplify<T> = { [K in keyof T]: T[K] } & unknown;
/** A spec node with a default. */
export type Filled = { readonly fill: () => unknown };
type IsOptional<S> = S extends Filled ? false
  : S extends { readonly optional: true } ? true
  : false;

type ObjectValue<F extends FieldSpecs, O extends boolean> =
  & Simplify<
    & { -readonly [K in keyof F as IsOptional<F[K]> extends true ? never : K]: Infer<F[K]> }
    & { -readonly [K in keyof F as IsOptional<F[K]> extends true ? K : never]?: Infer<F[K]> }
  >
  & (O extends true ? { [field: string]: unknown } : unknown);

/** The type of a value of spec `S`, before its modifiers. */
export type SpecValue<S> = S extends { readonly kind: "string" | "url" | "pk" | "sk" | "duration" }
  ? string
  : S extends { readonly kind: "int" } ? number
  : S extends { readonly kind: "bool" } ? boolean
  : S extends EnumSpec<infer V> ? V
  : S extends ListSpec<infer I> ? Infer<I>[]
  : S extends ObjectSpec<infer F, infer O> ? ObjectValue<F, O>
  : never;

/** The TypeScript type of a value that passed {@linkcode checkSpec} with spec `S`. */
export type Infer<S> = S extends Filled ? SpecValue<S>
  : S extends { readonly nullable: true } ? SpecValue<S> | null
  : SpecValue<S>;

/** A string field. */
export function str(): StringSpec {
  return { kind: "string" };
}
/** An `http://` or `https://` URL field; anything else is an error naming the field. */
export function url(): UrlSpec {
  return { kind: "url" };
}
/** A whole number field within `min..max`. */
export function int(min: number, max: number): IntSpec {
  return { kind: "int", min, max };
}
/** A `true`/`false` field. */
export function bool(): BoolSpec {
  return { kind: "bool" };
}
/** A hex public key field. */
export function publicKey(): KeySpec {
  return { kind: "pk" };
}
/** A hex secret key field (errors never contain its value). */
export function secretKey(): KeySpec {
  return { kind: "sk" };
}
/** A Go duration field (`10s`, `1h0m0s`). */
export function duration(): DurationSpec {
  return { kind: "duration" };
}
/** A field holding one of `values`. */
export function oneOf<const V extends string>(values: readonly V[]): EnumSpec<V> {
  return { kind: "enum", values };
}
/** A list field. */
export function list<I extends Spec>(items: I): ListSpec<I> {
  return { kind: "array", items };
}
/** An object field; unknown fields warn. */
export function object<const F extends FieldSpecs>(fields: F): ObjectSpec<F, false> {
  return { kind: "object", fields, open: false };
}
/** An object field that also holds fields of its own choosing (kept, no warning). */
export function openObject<const F extends FieldSpecs>(fields: F): ObjectSpec<F, true> {
  return { kind: "object", fields, open: true };
}
/** The field may be absent; a `null` counts as absent. */
export function optional<S extends Spec>(spec: S): S & { readonly optional: true } {
  return { ...spec, optional: true };
}
/** `null` is a value of its own (Go writes `null` for an empty list). */
export function nullable<S extends Spec>(spec: S): S & { readonly nullable: true } {
  return { ...spec, nullable: true };
}
/** An absent or `null` field takes `fill()`, so the checked value always has it. */
export function withDefault<S extends Spec>(
  spec: S,
  fill: () => SpecValue<S>,
): S & { readonly fill: () => SpecValue<S> } {
  return { ...spec, fill };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function check(spec: Spec, value: unknown, path: string, warnings: string[]): void {
  const fail = (want: string): never => {
    throw new ConfigError(`config field "${path}": want ${want}, got ${describe(value)}`);
  };
  if (value === null && spec.nullable) return;
  switch (spec.kind) {
    case "string":
      if (typeof value !== "string") fail("a string");
      return;
    case "url": {
      if (typeof value !== "string") return fail("a URL");
      const problem = httpUrlProblem(value);
      if (problem !== undefined) throw new ConfigError(`config field "${path}": ${problem}`);
      return;
    }
    case "bool":
      if (typeof value !== "boolean") fail("true or false");
      return;
    case "int":
      if (typeof value !== "number" || !Number.isInteger(value)) return fail("an integer");
      if (value < spec.min || value > spec.max) {
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
    case "sk": {
      // A secret key's value is never put in the message.
      if (typeof value !== "string") {
        return fail(spec.kind === "pk" ? "a public key (66 hex characters)" : "a secret key");
      }
      try {
        if (spec.kind === "pk") PubKey.fromHex(value);
        else SecKey.fromHex(value);
      } catch (error) {
        throw new ConfigError(`config field "${path}": ${(error as Error).message}`);
      }
      return;
    }
    case "array":
      if (!Array.isArray(value)) return fail("a list");
      value.forEach((item, i) => check(spec.items, item, `${path}[${i}]`, warnings));
      return;
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return fail("an object");
      }
      const record = value as Record<string, unknown>;
      for (const [name, child] of Object.entries(spec.fields)) {
        const childPath = path ? `${path}.${name}` : name;
        const given = record[name];
        if (given === undefined || (given === null && !child.nullable)) {
          if (child.fill) record[name] = child.fill();
          else if (child.optional) delete record[name];
          else if (given === undefined) {
            throw new ConfigError(`config field "${childPath}" is missing`);
          } else check(child, given, childPath, warnings);
          continue;
        }
        check(child, given, childPath, warnings);
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
 * Check `value` (parsed JSON) against `spec`, in place: absent fields with a default are
 * filled, absent or `null` optional ones removed. Returns warnings (unknown fields); a wrong
 * type, a missing required field or a malformed key is a {@linkcode ConfigError} naming the
 * field.
 */
export function checkSpec<S extends Spec>(
  spec: S,
  value: unknown,
): { value: Infer<S>; warnings: string[] } {
  const warnings: string[] = [];
  check(spec, value, "", warnings);
  return { value: value as Infer<S>, warnings };
}

/** Parse JSON text and {@linkcode checkSpec} it. */
export function parseSpec<S extends Spec>(
  spec: S,
  text: string,
): { value: Infer<S>; warnings: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config is not valid JSON: ${(error as Error).message}`);
  }
  return checkSpec(spec, raw);
}
