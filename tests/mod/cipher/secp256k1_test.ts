/**
 * The native (`node:crypto`) and noble secp256k1 backends give the same bytes and accept and
 * reject the same inputs: seeded random and mutated cases (over 10,000 in all), edge scalars
 * and points where the native path hands over to noble, and the Go reference's vectors.
 */
import { assert, assertEquals } from "@std/assert";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToNumberBE, numberToBytesBE } from "@noble/curves/utils.js";
import {
  getSecp256k1,
  loadSecp256k1,
  type RecoveryResult,
  type Secp256k1Backend,
  secp256k1SelfTest,
} from "../../../mod/cipher/mod.ts";
import {
  nativeRecover,
  nativeSharedPoint,
  nativeSign,
} from "../../../mod/cipher/_secp256k1_node.ts";
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

const node = await loadSecp256k1("node");
const noble = await loadSecp256k1("noble");

Deno.test("both backends pass the self-test, a backend that is off by one bit fails it", () => {
  assert(secp256k1SelfTest(noble));
  assert(secp256k1SelfTest(node));
  // This runtime has the curve: the automatic choice is native, libsecp256k1 where it opens.
  assertEquals(getSecp256k1().name, openFfiSecp256k1().backend ? "ffi" : "node");
  const flip = (bytes: Uint8Array, at: number) => withByte(bytes, at, bytes[at] ^ 1);
  const broken: Secp256k1Backend[] = [
    { ...node, sharedPoint: (sk, pk) => flip(node.sharedPoint(sk, pk), 0) },
    { ...node, sign: (hash, sk) => flip(node.sign(hash, sk), 64) },
    { ...node, publicKey: (sk) => flip(node.publicKey(sk), 32) },
    { ...node, recover: () => "match" },
    { ...node, isValidPoint: () => true },
    {
      ...node,
      sign: () => {
        throw new Error("no curve");
      },
    },
  ];
  for (const backend of broken) assert(!secp256k1SelfTest(backend));
});

Deno.test("isValidPoint: 20,000 random and edge inputs get the same answer", () => {
  const prng = new Prng(0x5ec9);
  const edges = [0n, 1n, 7n, P - 1n, P, P + 1n, 2n ** 256n - 1n];
  let accepted = 0, total = 0;
  const check = (bytes: Uint8Array) => {
    const answer = node.isValidPoint(bytes);
    assertEquals(answer, noble.isValidPoint(bytes), `input ${Array.from(bytes)}`);
    if (answer) accepted++;
    total++;
  };
  for (const x of edges) {
    for (const prefix of [0, 2, 3, 4]) check(Uint8Array.of(prefix, ...numberToBytesBE(x, 32)));
  }
  for (let i = 0; i < 5_000; i++) {
    const real = secp256k1.getPublicKey(randomSecret(prng), true);
    check(real);
    check(withByte(real, 0, prng.pick([0, 1, 4, 5, 6, 7, 0xff])));
    check(withByte(real, 1 + prng.int(32), prng.int(256)));
    check(Uint8Array.of(prng.pick([2, 3]), ...prng.bytes(32)));
  }
  for (const length of [0, 1, 32, 34, 65]) check(prng.bytes(length));
  check(secp256k1.getPublicKey(randomSecret(prng), false));
  assert(total > 20_000 && accepted > 6_000 && total - accepted > 6_000, `${accepted}/${total}`);
});

Deno.test("public keys and shared points: the same bytes, from the native path", () => {
  const prng = new Prng(0xecd4);
  for (let i = 0; i < 1_500; i++) {
    const sk = randomSecret(prng);
    const pk = secp256k1.getPublicKey(randomSecret(prng), true);
    const native = nativeSharedPoint(sk, pk);
    assert(native !== undefined, "the native path answers random inputs itself");
    assertEquals(native, noble.sharedPoint(sk, pk));
    if (i < 300) assertEquals(node.publicKey(sk), noble.publicKey(sk));
  }
});

Deno.test("shared points at the edges (sk·pk = ±pk, sk = n−1) fall back and still agree", () => {
  const prng = new Prng(0xed9e);
  const pk = secp256k1.getPublicKey(randomSecret(prng), true);
  const generator = secp256k1.Point.BASE.toBytes(true);
  for (const k of [1n, 2n, 3n, N - 3n, N - 2n, N - 1n]) {
    for (const point of [pk, generator, node.publicKey(scalar(k))]) {
      assertEquals(node.sharedPoint(scalar(k), point), noble.sharedPoint(scalar(k), point));
      assertEquals(node.publicKey(scalar(k)), noble.publicKey(scalar(k)));
    }
  }
  assertEquals(nativeSharedPoint(scalar(1n), pk), undefined); // Q = P: handed to noble
  assertEquals(nativeSharedPoint(scalar(N - 1n), pk), undefined); // k + 1 = n
});

// Signatures made once for the signing and the recovery tests.
const signed: { sk: Uint8Array; pk: Uint8Array; hash: Uint8Array }[] = [];
{
  const prng = new Prng(0x5165);
  for (let i = 0; i < 1_000; i++) {
    const sk = i === 0 ? scalar(1n) : i === 1 ? scalar(N - 1n) : randomSecret(prng);
    const payload = prng.bytes(prng.int(300));
    signed.push({ sk, pk: noble.publicKey(sk), hash: sha256(payload) });
  }
}

Deno.test("signatures: 1,000 seeded keys and payloads give identical bytes, recovery id included", () => {
  const recids = [0, 0, 0, 0];
  for (const { sk, pk, hash } of signed) {
    const native = nativeSign(hash, sk);
    assertEquals(native, noble.sign(hash, sk));
    recids[native[64]]++;
    if (recids[0] + recids[1] < 200) assertEquals(node.recover(native, hash, pk), "match");
  }
  assert(recids[0] > 400 && recids[1] > 400, `recovery ids ${recids}`);
});

Deno.test("recovery: 5,000 valid and mutated signatures get the same verdict", () => {
  const prng = new Prng(0x7ec0);
  const mutations: Mutation[] = [
    (sig, hash) => [sig, hash],
    (sig, hash) => [withByte(sig, 64, sig[64] ^ 1), hash],
    (sig, hash) => [withByte(sig, 64, sig[64] | 2), hash],
    (sig, hash) => [setScalars(sig, null, N - sOf(sig), sig[64] ^ 1), hash], // high-S twin
    (sig, hash) => [withByte(sig, prng.int(32), prng.int(256)), hash],
    (sig, hash) => [withByte(sig, 32 + prng.int(32), prng.int(256)), hash],
    (sig, hash) => [sig, withByte(hash, prng.int(32), prng.int(256))],
    (sig) => [sig, new Uint8Array(32)], // e = 0: u1 = 0
    (sig, hash) => [setScalars(sig, prng.pick([0n, N, N + 1n, 2n ** 256n - 1n]), null), hash],
    (sig, hash) => [setScalars(sig, null, prng.pick([0n, N, 2n ** 256n - 1n])), hash],
    (sig, hash) => [setScalars(sig, bytesToNumberBE(prng.bytes(16)), null, 2 + prng.int(2)), hash],
    (sig, hash) => [setScalars(sig, null, rOf(sig)), hash], // u2 = 1: B = PK
    (sig, hash) => [setScalars(sig, null, N - rOf(sig)), hash], // u2 = n − 1
    (sig, hash, d) => { // u1·G = u2·PK: R′ is a doubling
      const r = Fn.mul(Fn.create(bytesToNumberBE(hash)), Fn.inv(d));
      return [setScalars(sig, r, null, prng.int(4)), hash];
    },
    (sig, hash, d) => { // u1·G = −u2·PK: R′ is the point at infinity
      const r = Fn.neg(Fn.mul(Fn.create(bytesToNumberBE(hash)), Fn.inv(d)));
      return [setScalars(sig, r, null, prng.int(4)), hash];
    },
    (_sig, hash) => [infinitySig(hash, prng), hash],
    (sig, hash) => [setScalars(sig, bytesToNumberBE(prng.bytes(32)) % N || 1n, null), hash],
    (sig, hash) => [withByte(sig, 64, prng.int(4)), hash],
    (sig, hash) => [sig, hash], // checked against another key below
    (_sig, hash) => [Uint8Array.of(...prng.bytes(64), prng.int(4)), hash],
  ];
  // Each key is checked 5 times in a row and there are 1,000 of them: the native path's
  // cache of signers' keys (256) is hit and evicted throughout, and must not change a verdict.
  const counts: Record<RecoveryResult, number> = { match: 0, mismatch: 0, unrecoverable: 0 };
  let nativeAnswered = 0, cases = 0;
  // Each signature gets every fourth mutation (a quarter of them, in turn): 250 cases of
  // each kind. noble's recovery, the reference here, costs about a millisecond a case.
  signed.forEach(({ sk, pk, hash }, i) => {
    const base = noble.sign(hash, sk);
    const d = bytesToNumberBE(sk);
    for (let m = 0; m < mutations.length; m += 4) {
      const which = m + (i % 4);
      const [sig, h] = mutations[which](base, hash, d);
      const key = which === 18 ? signed[(i + 1) % signed.length].pk : pk;
      const expected = noble.recover(sig, h, key);
      assertEquals(node.recover(sig, h, key), expected, `mutation ${which}, case ${i}`);
      const native = nativeRecover(sig, h, key);
      if (native !== undefined) {
        assertEquals(native, expected);
        nativeAnswered++;
      }
      counts[expected]++;
      cases++;
    }
  });
  assert(cases >= 5_000, `${cases} cases`);
  assert(
    counts.match > 450 && counts.mismatch > 1_250 && counts.unrecoverable > 750,
    JSON.stringify(counts),
  );
  assert(nativeAnswered > cases * 0.75, `native path answered ${nativeAnswered} of ${cases}`);
});

Deno.test("the Go vectors: same ECDH bytes and signature verdicts (and messages) on both backends", async () => {
  await assertGoVectors(node, noble);
  await assertGoVectors(noble, node);
});
