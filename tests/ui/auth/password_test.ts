/** Password hashing: scrypt round trips, salts differ, damaged records are refused. */
import { assert, assertEquals, assertFalse } from "@std/assert";
import {
  hashPassword,
  isPasswordHash,
  passwordProblem,
  verifyPassword,
} from "../../../ui/auth/password.ts";
import { TEST_SCRYPT } from "../_node.ts";

Deno.test("hashPassword/verifyPassword: the right password matches, others do not; salts differ", async () => {
  const a = await hashPassword("correct horse", TEST_SCRYPT);
  const b = await hashPassword("correct horse", TEST_SCRYPT);
  assertEquals(a.algorithm, "scrypt");
  assertEquals([a.n, a.r, a.p], [TEST_SCRYPT.n, TEST_SCRYPT.r, TEST_SCRYPT.p]);
  assert(a.salt !== b.salt && a.hash !== b.hash, "a fresh salt each time");
  assert(await verifyPassword("correct horse", a));
  assert(await verifyPassword("correct horse", b));
  assertFalse(await verifyPassword("correct horsE", a));
  assertFalse(await verifyPassword("", a));
  assertFalse(await verifyPassword("x".repeat(2000), a));
});

Deno.test("verifyPassword refuses damaged or foreign records instead of throwing", async () => {
  const good = await hashPassword("correct horse", TEST_SCRYPT);
  const damaged: unknown[] = [
    null,
    "scrypt",
    { ...good, algorithm: "bcrypt" },
    { ...good, n: 1000 }, // not a power of two
    { ...good, n: 2 ** 24 }, // more memory than any login may take
    { ...good, r: 0 },
    { ...good, salt: "%%%" },
    { ...good, hash: "not base64!" },
    { ...good, hash: btoa("short") },
  ];
  for (const record of damaged) {
    const ok = await verifyPassword("correct horse", record as typeof good);
    assertFalse(ok, JSON.stringify(record));
  }
  assert(isPasswordHash(good));
});

Deno.test("passwordProblem: at least 8 characters, at most 1024 bytes", () => {
  assert(passwordProblem("short")?.includes("at least 8"));
  assertEquals(passwordProblem("eight ch"), undefined);
  assertEquals(passwordProblem("日本語のパスワード"), undefined);
  assert(passwordProblem("é".repeat(600))?.includes("at most 1024 bytes"));
});
