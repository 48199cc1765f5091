import { assertEquals } from "@std/assert";
import { JsonWriter } from "../../../mod/dmsg/mod.ts";
import { goJsonString, messageBytes, messageResponse } from "../../../mod/http/mod.ts";
import { Prng } from "../../_util/prng.ts";

const dec = new TextDecoder();

function jsoniterString(text: string): string {
  const w = new JsonWriter();
  w.string(text);
  return dec.decode(w.finish());
}

Deno.test("goJsonString escapes as the entry codec's jsoniter writer does", () => {
  const rnd = new Prng(0x150a);
  const alphabet = [...'ab "\\/<>&\n\r\t\b\f\x00\x1f\x7féü€😀\u2028'];
  const samples = ["", "rate limit exceeded", "entry validation error: sequence"];
  for (let i = 0; i < 2000; i++) {
    samples.push(Array.from({ length: rnd.int(20) }, () => rnd.pick(alphabet)).join(""));
  }
  for (const text of samples) assertEquals(goJsonString(text), jsoniterString(text), text);
});

Deno.test("messageResponse: Go's {message, code} body, application/json", async () => {
  assertEquals(
    dec.decode(messageBytes(404, "entry of public key is not found")),
    `{"message":"entry of public key is not found","code":404}`,
  );
  const res = messageResponse(422, `bad "x"`);
  assertEquals(res.status, 422);
  assertEquals(res.headers.get("content-type"), "application/json");
  assertEquals(await res.text(), `{"message":"bad \\"x\\"","code":422}`);
});
