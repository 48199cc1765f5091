import { assertEquals } from "@std/assert";
import { certificateValidity, generateSelfSigned, parsePem } from "../../../mod/tls/mod.ts";
import { Prng } from "../../_util/prng.ts";

Deno.test("certificateValidity reads UTCTime and GeneralizedTime dates of a certificate", async () => {
  for (
    const [start, days] of [["2026-03-04T05:06:07Z", 10], ["2049-12-31T00:00:00Z", 2]] as const
  ) {
    const notBefore = new Date(start);
    const pair = await generateSelfSigned({ hosts: ["localhost"], notBefore, validDays: days });
    const validity = certificateValidity(parsePem(pair.cert)[0].der);
    assertEquals(validity?.notBefore.toISOString(), notBefore.toISOString());
    assertEquals(validity?.notAfter.getTime(), notBefore.getTime() + days * 86_400_000);
  }
});

Deno.test("certificateValidity gives undefined, never throws, on random and mutated bytes", async () => {
  const prng = new Prng(0xce47);
  const der = parsePem((await generateSelfSigned({ hosts: ["localhost"] })).cert)[0].der;
  for (let i = 0; i < 3_000; i++) {
    let bytes: Uint8Array;
    if (i % 3 === 0) {
      bytes = new Uint8Array(prng.u32() % 400);
      for (let j = 0; j < bytes.length; j++) bytes[j] = prng.u32() & 0xff;
    } else if (i % 3 === 1) {
      bytes = der.slice(0, prng.u32() % der.length);
    } else {
      bytes = der.slice();
      for (let m = 1 + (prng.u32() % 4); m > 0; m--) {
        bytes[prng.u32() % bytes.length] = prng.u32() & 0xff;
      }
    }
    const validity = certificateValidity(bytes);
    if (validity) {
      assertEquals(Number.isNaN(validity.notBefore.getTime()), false);
      assertEquals(Number.isNaN(validity.notAfter.getTime()), false);
    }
  }
  assertEquals(certificateValidity(new Uint8Array()), undefined);
  assertEquals(
    certificateValidity(new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff])),
    undefined,
  );
});
