import { assertEquals } from "@std/assert";
import { goStdJsonString, httpAuthErrorJson } from "../../../mod/httpauth/mod.ts";
import { Prng } from "../../_util/prng.ts";

Deno.test("goStdJsonString escapes as Go's encoding/json with HTML escaping", () => {
  assertEquals(goStdJsonString("a<b>&c"), '"a\\u003cb\\u003e\\u0026c"');
  assertEquals(goStdJsonString("\u2028\u2029"), '"\\u2028\\u2029"');
  assertEquals(goStdJsonString("x\ud800y"), '"x\\ufffdy"');
  // A literal backslash-u in the text is not mistaken for an escape.
  assertEquals(goStdJsonString("\\ud800"), '"\\\\ud800"');
  assertEquals(goStdJsonString("\u0001\n\t"), '"\\u0001\\n\\t"');
  assertEquals(goStdJsonString("é😀"), '"é😀"');
  assertEquals(
    httpAuthErrorJson(401, "SW-Nonce does not match"),
    '{"error":{"message":"SW-Nonce does not match","code":401}}',
  );
});

Deno.test("fuzz: goStdJsonString always gives valid JSON for the same text (surrogates aside)", () => {
  const prng = new Prng(0x5eed_0002);
  const units = [0x3c, 0x3e, 0x26, 0x5c, 0x22, 0x75, 0x64, 0x38, 0x0a, 0x2028, 0xd800, 0xdc00];
  for (let round = 0; round < 2_000; round++) {
    const codes = Array.from(
      { length: prng.int(12) },
      () => prng.int(3) === 0 ? prng.pick(units) : prng.int(0x10000),
    );
    const text = String.fromCharCode(...codes);
    const json = goStdJsonString(text);
    const back = JSON.parse(json) as string;
    assertEquals(back, text.toWellFormed(), JSON.stringify(text));
    assertEquals(/[<>&\u2028\u2029]/.test(json), false);
  }
});
