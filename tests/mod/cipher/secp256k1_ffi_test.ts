/**
 * The libsecp256k1 (FFI) backend gives noble's bytes and noble's accept/reject decisions:
 * seeded random keys, hashes and points, mutated and edge-case signatures (r, s at 0, n − 1, n,
 * r near p − n with recovery ids 2 and 3, high S, points at infinity), wrong sizes, and the Go
 * reference's vectors. Skipped, with the reason, where the library cannot be opened (CI installs
 * Debian's libsecp256k1-1).
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToNumberBE } from "@noble/curves/utils.js";
import {
  getSecp256k1,
  loadSecp256k1,
  type RecoveryResult,
  secp256k1SelfTest,
  secp256k1Status,
} from "../../../mod/cipher/mod.ts";
import { openFfiSecp256k1 } from "../../../mod/cipher/_secp256k1_ffi.ts";
import { sha256 } from "../../../mod/cipher/hash.ts";
import { assertGoVectors } from "./_go_vectors.ts";
import {
  Fn,
  infinitySig,
  type Mutation,
  N,
  P,
  randomSecret,
  rOf,
  scalar,
  setScalars,
  sOf,
  withByte,
} from "./_secp256k1_cases.ts";
import { Prng } from "../../_util/prng.ts";
import { assertFfiFallbackWithoutPermissions } from "../../_util/no_permissions.ts";

const opened = openFfiSecp256k1();
const skip = opened.backend === undefined ? opened.reason : undefined;
if (skip) console.log(`libsecp256k1 (ffi) tests ignored: ${skip}`);
const ffi = opened.backend!;
const noble = await loadSecp256k1("noble");

Deno.test({
  name: "ffi: passes the self-test and is the automatic choice",
  ignore: skip !== undefined,
  fn() {
    assert(secp256k1SelfTest(ffi));
    assertEquals(getSecp256k1("ffi"), ffi);
    assertEquals(getSecp256k1().name, "ffi");
    assertEquals(secp256k1Status(), { backend: "ffi" });
  },
});

Deno.test({
  name: "ffi: isValidPoint agrees with noble on 16,000 random, mutated and edge inputs",
  ignore: skip !== undefined,
  fn() {
    const prng = new Prng(0xf1f1);
    let accepted = 0, total = 0;
    const check = (bytes: Uint8Array) => {
      const answer = ffi.isValidPoint(bytes);
      assertEquals(answer, noble.isValidPoint(bytes), `input ${Array.from(bytes)}`);
      if (answer) accepted++;
      total++;
    };
    for (const x of [0n, 1n, 7n, N - 1n, N, P - N, P - 1n, P, P + 1n, 2n ** 256n - 1n]) {
      for (const prefix of [0, 2, 3, 4, 6, 7]) check(Uint8Array.of(prefix, ...scalar(x)));
    }
    for (let i = 0; i < 4_000; i++) {
      const real = secp256k1.getPublicKey(randomSecret(prng), true);
      check(real);
      check(withByte(real, 0, prng.pick([0, 1, 4, 5, 6, 7, 0xff])));
      check(withByte(real, 1 + prng.int(32), prng.int(256)));
      check(Uint8Array.of(prng.pick([2, 3]), ...prng.bytes(32)));
    }
    // libsecp256k1 parses 65-byte keys too; noble, asked for compressed keys, does not.
    const full = secp256k1.getPublicKey(randomSecret(prng), false);
    for (const bytes of [full, withByte(full, 0, 6), new Uint8Array(0), prng.bytes(34)]) {
      check(bytes);
    }
    check(secp256k1.getPublicKey(randomSecret(prng), true).subarray(0, 32));
    assert(total > 16_000 && accepted > 5_000 && total - accepted > 5_000, `${accepted}/${total}`);
  },
});

Deno.test({
  name: "ffi: public keys and shared points are noble's bytes, random and at the edges",
  ignore: skip !== undefined,
  fn() {
    const prng = new Prng(0xecd5);
    for (let i = 0; i < 1_500; i++) {
      const sk = randomSecret(prng);
      const pk = secp256k1.getPublicKey(randomSecret(prng), true);
      assertEquals(ffi.sharedPoint(sk, pk), noble.sharedPoint(sk, pk));
      if (i < 500) assertEquals(ffi.publicKey(sk), noble.publicKey(sk));
    }
    const pk = secp256k1.getPublicKey(randomSecret(prng), true);
    const generator = secp256k1.Point.BASE.toBytes(true);
    for (const k of [1n, 2n, 3n, N / 2n, N - 3n, N - 2n, N - 1n]) {
      assertEquals(ffi.publicKey(scalar(k)), noble.publicKey(scalar(k)));
      for (const point of [pk, generator, noble.publicKey(scalar(k))]) {
        assertEquals(ffi.sharedPoint(scalar(k), point), noble.sharedPoint(scalar(k), point));
      }
    }
    // Invalid secret keys (never from SecKey): noble's error, not a crash in the library.
    for (const bad of [scalar(0n), scalar(N), scalar(2n ** 256n - 1n)]) {
      assertThrows(() => ffi.publicKey(bad));
      assertThrows(() => ffi.sharedPoint(bad, pk));
    }
  },
});

// Keys and hashes for the signing and the recovery tests.
const signed: { sk: Uint8Array; pk: Uint8Array; hash: Uint8Array }[] = [];
{
  const prng = new Prng(0x5166);
  for (let i = 0; i < 1_000; i++) {
    const sk = i === 0 ? scalar(1n) : i === 1 ? scalar(N - 1n) : randomSecret(prng);
    signed.push({
      sk,
      pk: secp256k1.getPublicKey(sk, true),
      hash: sha256(prng.bytes(prng.int(300))),
    });
  }
}

Deno.test({
  name: "ffi: 1,000 signatures are noble's bytes, recovery id included; hashes ≥ n too",
  ignore: skip !== undefined,
  fn() {
    const recids = [0, 0, 0, 0];
    for (const { sk, pk, hash } of signed) {
      const sig = ffi.sign(hash, sk);
      assertEquals(sig, noble.sign(hash, sk));
      assertEquals(ffi.recover(sig, hash, pk), "match");
      recids[sig[64]]++;
    }
    assert(recids[0] > 400 && recids[1] > 400, `recovery ids ${recids}`);
    // Hashes at and above n (libsecp256k1's nonce would differ there: noble answers) and below.
    const { sk } = signed[2];
    for (const e of [0n, 1n, N - 1n, N, N + 1n, 2n ** 256n - 1n]) {
      assertEquals(ffi.sign(scalar(e), sk), noble.sign(scalar(e), sk), `hash ${e}`);
    }
  },
});

Deno.test({
  name: "ffi: recovery gives noble's verdict on 4,000 valid, mutated and edge signatures",
  ignore: skip !== undefined,
  fn() {
    const prng = new Prng(0x7ec1);
    const mutations: Mutation[] = [
      (sig, hash) => [sig, hash],
      (sig, hash) => [withByte(sig, 64, sig[64] ^ 1), hash],
      (sig, hash) => [setScalars(sig, null, N - sOf(sig), sig[64] ^ 1), hash], // high-S twin
      (sig, hash) => [withByte(sig, prng.int(65), prng.int(256) & 0xfc | sig[64]), hash],
      (sig, hash) => [sig, withByte(hash, prng.int(32), prng.int(256))],
      (sig) => [sig, new Uint8Array(32)], // e = 0
      (sig) => [sig, scalar(prng.pick([N - 1n, N, N + 1n, 2n ** 256n - 1n]))], // e mod n
      (
        sig,
        hash,
      ) => [setScalars(sig, prng.pick([0n, N - 1n, N, N + 1n, 2n ** 256n - 1n]), null), hash],
      (sig, hash) => [setScalars(sig, null, prng.pick([0n, 1n, N - 1n, N, 2n ** 256n - 1n])), hash],
      // x = r + n for recovery ids 2 and 3: only r < p − n can name a point.
      (sig, hash) => [
        setScalars(sig, prng.pick([P - N - 1n, P - N, P - N + 1n, 1n, 2n]), null, 2 + prng.int(2)),
        hash,
      ],
      (
        sig,
        hash,
      ) => [setScalars(sig, bytesToNumberBE(prng.bytes(16)), null, 2 + prng.int(2)), hash],
      (sig, hash) => [setScalars(sig, null, rOf(sig)), hash],
      (sig, hash, d) => { // u1·G = −u2·PK
        const r = Fn.neg(Fn.mul(Fn.create(bytesToNumberBE(hash)), Fn.inv(d)));
        return [setScalars(sig, r, null, prng.int(4)), hash];
      },
      (_sig, hash) => [infinitySig(hash, prng), hash],
      (sig, hash) => [withByte(sig, 64, prng.int(4)), hash],
      (sig, hash) => [sig, hash], // checked against another key below
      (_sig, hash) => [Uint8Array.of(...prng.bytes(64), prng.int(4)), hash],
      (sig, hash) => [withByte(sig, 64, 4 + prng.int(252)), hash], // recid ≥ 4: noble answers
    ];
    const counts: Record<RecoveryResult, number> = { match: 0, mismatch: 0, unrecoverable: 0 };
    let cases = 0;
    // Each signature gets every fourth mutation, in turn: over 200 cases of each kind.
    signed.forEach(({ sk, pk, hash }, i) => {
      const base = noble.sign(hash, sk);
      const d = bytesToNumberBE(sk);
      for (let m = i % 4; m < mutations.length; m += 4) {
        const [sig, h] = mutations[m](base, hash, d);
        const key = m === 15 ? signed[(i + 1) % signed.length].pk : pk;
        const expected = noble.recover(sig, h, key);
        assertEquals(ffi.recover(sig, h, key), expected, `mutation ${m}, case ${i}`);
        counts[expected]++;
        cases++;
      }
    });
    assert(cases >= 4_000, `${cases} cases`);
    assert(
      counts.match > 400 && counts.mismatch > 1_000 && counts.unrecoverable > 1_000,
      JSON.stringify(counts),
    );
  },
});

Deno.test({
  name: "ffi: hashes, signatures and keys of other sizes get noble's bytes and verdicts",
  ignore: skip !== undefined,
  fn() {
    // Never from `sha256`/`Sig`/`PubKey`, but the backend answers alone (noble is not loaded
    // where libsecp256k1 is used), so it must answer as noble would, never read past a buffer.
    const prng = new Prng(0x512e);
    const { sk, pk } = signed[3];
    for (const size of [0, 1, 16, 31, 33, 48, 64, 8192]) {
      for (const fill of ["random", "ones"]) {
        const hash = fill === "ones" ? new Uint8Array(size).fill(0xff) : prng.bytes(size);
        const sig = noble.sign(hash, sk);
        assertEquals(ffi.sign(hash, sk), sig, `sign, ${size}-byte hash`);
        assertEquals(ffi.recover(sig, hash, pk), noble.recover(sig, hash, pk), `${size} bytes`);
        assertEquals(noble.recover(sig, hash, pk), "match");
      }
    }
    const hash = prng.bytes(32);
    const sig = noble.sign(hash, sk);
    const tooLong = prng.bytes(8193);
    assertThrows(() => noble.sign(tooLong, sk));
    assertThrows(() => ffi.sign(tooLong, sk));
    const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
      [tooLong, sig, pk],
      [hash, sig.subarray(0, 64), pk],
      [hash, sig.subarray(0, 10), pk],
      [hash, Uint8Array.of(...sig, 7), pk],
      [hash, sig, pk.subarray(0, 32)],
      [hash, sig, Uint8Array.of(...pk, 1)],
      [hash, sig, new Uint8Array(0)],
    ];
    for (const [h, s, key] of cases) {
      assertEquals(ffi.recover(s, h, key), noble.recover(s, h, key), `${h.length} ${s.length}`);
    }
    for (const bad of [new Uint8Array(31), Uint8Array.of(...sk, 0), scalar(0n), scalar(N)]) {
      assertThrows(() => noble.sign(hash, bad));
      assertThrows(() => ffi.sign(hash, bad));
      assertThrows(() => ffi.publicKey(bad));
      assertThrows(() => ffi.sharedPoint(bad, pk));
    }
  },
});

Deno.test({
  name: "ffi: the Go vectors give the same ECDH bytes, signatures and verdicts as noble",
  ignore: skip !== undefined,
  async fn() {
    await assertGoVectors(ffi, noble);
  },
});

Deno.test("without the FFI permission the automatic choice falls back silently", async () => {
  await assertFfiFallbackWithoutPermissions(
    new URL("../../../mod/cipher/mod.ts", import.meta.url),
    "getSecp256k1",
    "secp256k1Status",
    "CipherError",
  );
});
