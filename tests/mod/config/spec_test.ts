import { assertEquals, assertThrows } from "@std/assert";
import {
  bool,
  checkSpec,
  ConfigError,
  duration,
  type Infer,
  int,
  list,
  nullable,
  object,
  oneOf,
  openObject,
  optional,
  parseSpec,
  type SkywireConfig,
  str,
  withDefault,
} from "../../../mod/config/mod.ts";

const SPEC = object({
  name: str(),
  port: withDefault(int(0, 65535), () => 8080),
  mode: optional(oneOf(["a", "b"])),
  tags: nullable(list(str())),
  every: withDefault(duration(), () => "1m0s"),
  extra: optional(openObject({ on: bool() })),
});

Deno.test("the checked value's type is derived from the spec", () => {
  const { value } = parseSpec(SPEC, `{"name":"x","tags":null}`);
  // Filled fields are always there; optional ones may not be; nullable ones may be null.
  const port: number = value.port;
  const mode: "a" | "b" | undefined = value.mode;
  const tags: string[] | null = value.tags;
  // @ts-expect-error an optional field may be absent
  const mustMode: "a" | "b" = value.mode;
  // @ts-expect-error a nullable list may be null
  const mustTags: string[] = value.tags;
  assertEquals([port, mode, tags, mustMode, mustTags], [8080, undefined, null, undefined, null]);
  // The config types come from the schema the same way.
  const hops: SkywireConfig["routing"]["min_hops"] = 2;
  const level: SkywireConfig["log_level"] = "warn";
  // @ts-expect-error not a log level the schema allows
  const loud: SkywireConfig["log_level"] = "loud";
  assertEquals([hops, level, loud], [2, "warn", "loud"]);
});

Deno.test("absent or null fields take their default; absent or null optional ones are dropped", () => {
  const raw = { name: "x", port: null, mode: null, tags: ["t"] };
  const { value, warnings } = checkSpec(SPEC, raw);
  assertEquals(value, { name: "x", port: 8080, tags: ["t"], every: "1m0s" });
  assertEquals(warnings, []);
  assertEquals("mode" in value, false);
});

Deno.test("open objects keep fields of their own; closed ones warn, naming the path", () => {
  const { value, warnings } = parseSpec(
    SPEC,
    `{"name":"x","tags":[],"extra":{"on":true,"more":1},"surplus":2}`,
  );
  const extra: Infer<typeof SPEC>["extra"] = value.extra;
  assertEquals(extra, { on: true, more: 1 });
  assertEquals(warnings, ['unknown config field "surplus" (ignored)']);
});

Deno.test("wrong values are ConfigErrors naming the field", () => {
  for (
    const [text, message] of [
      [`{"tags":[]}`, 'config field "name" is missing'],
      [`{"name":1,"tags":[]}`, 'config field "name": want a string, got number'],
      [`{"name":"x","tags":[1]}`, 'config field "tags[0]": want a string, got number'],
      [`{"name":"x","tags":[],"port":70000}`, 'config field "port": 70000 is outside 0..65535'],
      [`{"name":"x","tags":[],"mode":"c"}`, 'config field "mode": want one of a, b'],
      [`{"name":"x","tags":[],"every":"soon"}`, 'config field "every": want a duration'],
      [`{"name":"x"}`, 'config field "tags" is missing'],
      [`[`, "config is not valid JSON"],
    ]
  ) {
    assertThrows(() => parseSpec(SPEC, text), ConfigError, message);
  }
});
