import { assert, assertEquals, assertFalse, assertThrows } from "@std/assert";
import { NoiseNonceError, NonceWindow } from "../../../mod/noise/mod.ts";
import { Prng } from "./_util.ts";

function accept(window: NonceWindow, nonce: bigint): void {
  window.check(nonce);
  window.commit(nonce);
}

Deno.test("NonceWindow rejects nonce 0", () => {
  const window = new NonceWindow();
  assertThrows(() => window.check(0n), NoiseNonceError, "zero");
  assertThrows(() => window.commit(0n), NoiseNonceError);
});

Deno.test("NonceWindow rejects a repeated nonce", () => {
  const window = new NonceWindow();
  accept(window, 1n);
  accept(window, 2n);
  assertThrows(() => window.check(1n), NoiseNonceError, "repeated");
  assertThrows(() => window.check(2n), NoiseNonceError, "repeated");
});

Deno.test("NonceWindow accepts out-of-order nonces within the window", () => {
  const window = new NonceWindow();
  for (const nonce of [5n, 3n, 4n, 1n, 1000n, 2n, 6n]) accept(window, nonce);
  assertEquals(window.highest, 1000n);
  for (const nonce of [1n, 2n, 3n, 4n, 5n, 6n, 1000n]) assertFalse(window.accepts(nonce));
  assert(window.accepts(7n) && window.accepts(999n) && window.accepts(1001n));
});

Deno.test("NonceWindow rejects nonces 1024 or more below the highest", () => {
  const window = new NonceWindow();
  accept(window, 2000n);
  assert(window.accepts(2000n - 1023n)); // the oldest slot still inside the window
  assertThrows(() => window.check(2000n - 1024n), NoiseNonceError, "older than the window");
  assertThrows(() => window.check(1n), NoiseNonceError, "older than the window");
});

Deno.test("NonceWindow forgets slots as the window slides, without confusing old and new", () => {
  const window = new NonceWindow();
  accept(window, 1n);
  accept(window, 1025n); // same ring slot as 1
  assertThrows(() => window.check(1025n), NoiseNonceError, "repeated");
  assertThrows(() => window.check(1n), NoiseNonceError, "older");
  assert(window.accepts(1024n) && window.accepts(2n));
  accept(window, 1024n + 1024n + 5n); // jump past a whole window: everything before is cleared
  assert(window.accepts(2048n) && window.accepts(2029n));
  assertFalse(window.accepts(1025n));
});

Deno.test("NonceWindow check does not record; a rejected message leaves it unchanged", () => {
  const window = new NonceWindow();
  window.check(7n);
  window.check(7n);
  assertEquals(window.highest, 0n);
  accept(window, 7n);
  assertFalse(window.accepts(7n));
});

Deno.test("NonceWindow handles nonces near 2^64", () => {
  const window = new NonceWindow();
  const top = 0xffff_ffff_ffff_ffffn;
  accept(window, top - 5n);
  accept(window, top);
  assertFalse(window.accepts(top));
  assert(window.accepts(top - 1n));
  assertFalse(window.accepts(top - 5n));
  assertFalse(window.accepts(top - 1024n));
});

/** The obvious model: every nonce ever accepted in a set. */
class ReferenceWindow {
  seen = new Set<bigint>();
  highest = 0n;

  accepts(nonce: bigint): boolean {
    if (nonce === 0n || this.seen.has(nonce)) return false;
    return nonce > this.highest || this.highest - nonce < 1024n;
  }

  commit(nonce: bigint): void {
    this.seen.add(nonce);
    if (nonce > this.highest) this.highest = nonce;
  }
}

Deno.test("fuzz: NonceWindow agrees with a set-based model on random sequences", () => {
  const prng = new Prng(0xc0ffee);
  let operations = 0;
  for (let run = 0; run < 100; run++) {
    const window = new NonceWindow(), model = new ReferenceWindow();
    let base = BigInt(prng.int(3)) * 0xffff_ffffn * BigInt(prng.int(1 << 20));
    for (let i = 0; i < 1_500; i++, operations++) {
      // Mostly near the top (reordering, replays), sometimes far below or far ahead.
      const r = prng.int(100);
      let nonce: bigint;
      if (r < 70) nonce = model.highest + BigInt(prng.int(40)) - 30n;
      else if (r < 85) nonce = model.highest - BigInt(1000 + prng.int(60));
      else if (r < 95) nonce = model.highest + BigInt(1 + prng.int(3000));
      else nonce = base + BigInt(prng.int(5));
      if (nonce < 0n) nonce = 0n;
      if (nonce > 0xffff_ffff_ffff_ffffn) nonce = 0xffff_ffff_ffff_ffffn;
      if (r === 99) base = model.highest;
      const expected = model.accepts(nonce);
      assertEquals(window.accepts(nonce), expected, `run ${run} step ${i} nonce ${nonce}`);
      if (expected && prng.int(10) !== 0) { // sometimes a valid nonce fails to authenticate
        window.commit(nonce);
        model.commit(nonce);
      } else if (!expected) {
        assertThrows(() => window.check(nonce), NoiseNonceError);
      }
      assertEquals(window.highest, model.highest);
    }
  }
  assert(operations >= 100_000);
});
