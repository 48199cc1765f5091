import { assert, assertEquals } from "@std/assert";
import {
  decodeEntry,
  EntryDecodeError,
  EntrySignatureError,
  EntryValidationError,
  marshalEntry,
  validateEntry,
  verifyEntrySignature,
} from "../../../../mod/dmsg/mod.ts";

import { fuzzInput, fuzzSeeds, prng } from "../../../services/dmsg_discovery/_fuzz.ts";

Deno.test("entry decoder and verifier: 60,000 random and mutated inputs, typed errors only", () => {
  const rnd = prng(0x5eed);
  const seeds = fuzzSeeds();
  let decoded = 0, valid = 0, verified = 0;
  for (let i = 0; i < 60_000; i++) {
    const input = fuzzInput(rnd, seeds);
    let entry;
    try {
      entry = decodeEntry(input);
    } catch (error) {
      if (error instanceof EntryDecodeError) continue;
      throw new Error(`untyped error for ${JSON.stringify(String.fromCharCode(...input))}`, {
        cause: error,
      });
    }
    decoded++;
    // Re-marshalling the decoded value is stable: what we sign is what we would read back.
    const once = marshalEntry(entry);
    assertEquals(marshalEntry(decodeEntry(once)), once);
    try {
      validateEntry(entry, { validateTimestamp: !entry.client, nowNs: 2n });
      valid++;
    } catch (error) {
      if (!(error instanceof EntryValidationError)) throw error;
      continue;
    }
    // ECDSA is the slow part; check a sample (every signed-and-valid survivor is still typed).
    if (valid % 8 !== 0) continue;
    try {
      verifyEntrySignature(entry);
      verified++;
    } catch (error) {
      if (!(error instanceof EntrySignatureError)) throw error;
    }
  }
  assert(decoded > 5_000, `only ${decoded} inputs decoded`);
  assert(valid > 500, `only ${valid} inputs passed validation`);
  assert(verified > 0, "no mutated input kept a valid signature");
});
