import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  bytesToHex,
  CipherError,
  ecdh,
  generateKeyPair,
  hexToBytes,
  hmacSha256,
  makeTransportId,
  PubKey,
  SecKey,
  sha256,
  Sig,
  signPayload,
  useNativeHashes,
  verifyPubKeySignedPayload,
} from "../../../mod/cipher/mod.ts";
import { runWithoutPermissions } from "../../_util/no_permissions.ts";
import { Prng } from "../../_util/prng.ts";

const vectors = JSON.parse(
  await Deno.readTextFile(new URL("../../testdata/go-dmsg-2023-vectors.json", import.meta.url))
    .catch(() =>
      Deno.readTextFile(
        new URL("../../../../shared/testdata/go-dmsg-2023-vectors.json", import.meta.url),
      )
    ),
);

// secp256k1 group order, to build the high-S twin of a signature.
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

Deno.test("secret keys from the Go vectors give Go's public keys", () => {
  for (const who of ["initiator", "responder"]) {
    assertEquals(
      SecKey.fromHex(vectors.keys[`${who}_sk`]).pubKey().hex(),
      vectors.keys[`${who}_pk`],
    );
    assertEquals(
      SecKey.fromHex(vectors.keys[`${who}_ephemeral_sk`]).pubKey().hex(),
      vectors.keys[`${who}_ephemeral_pk`],
    );
  }
});

Deno.test("ecdh reproduces Go's output", () => {
  const out = ecdh(PubKey.fromHex(vectors.ecdh.pub), SecKey.fromHex(vectors.ecdh.sec));
  assertEquals(bytesToHex(out), vectors.ecdh.out);
});

Deno.test("a Go signature verifies; its high-S twin and a bad recid are rejected", () => {
  const pk = PubKey.fromHex(vectors.signature.pk);
  const payload = hexToBytes(vectors.signature.payload);
  const sig = Sig.fromHex(vectors.signature.sig);
  verifyPubKeySignedPayload(pk, sig, payload);

  const raw = Uint8Array.from(sig.view);
  const s = BigInt("0x" + bytesToHex(raw.subarray(32, 64)));
  const high = hexToBytes((N - s).toString(16).padStart(64, "0"));
  const twin = Uint8Array.from(raw);
  twin.set(high, 32);
  twin[64] ^= 1;
  assertThrows(
    () => verifyPubKeySignedPayload(pk, Sig.fromBytes(twin), payload),
    CipherError,
    "high S",
  );

  const badRecid = Uint8Array.from(raw);
  badRecid[64] = 4;
  assertThrows(
    () => verifyPubKeySignedPayload(pk, Sig.fromBytes(badRecid), payload),
    CipherError,
    "recovery id",
  );

  const other = generateKeyPair().pk;
  assertThrows(() => verifyPubKeySignedPayload(other, sig, payload), CipherError);
  const tampered = Uint8Array.from(payload);
  tampered[0] ^= 1;
  assertThrows(() => verifyPubKeySignedPayload(pk, sig, tampered), CipherError);
});

Deno.test("our signatures are low-S with a recovery id and verify", () => {
  for (let i = 0; i < 50; i++) {
    const { pk, sk } = generateKeyPair();
    const payload = crypto.getRandomValues(new Uint8Array(i + 1));
    const sig = signPayload(payload, sk);
    assert(sig.view[32] < 0x80, "low S");
    assert(sig.view[64] < 4);
    assertEquals(sig.hex().length, 130);
    verifyPubKeySignedPayload(pk, sig, payload);
  }
});

Deno.test("PubKey parses, prints and rejects like Go", () => {
  const pk = PubKey.fromHex(vectors.keys.initiator_pk);
  assertEquals(pk.hex(), vectors.keys.initiator_pk);
  assertEquals(JSON.stringify({ pk }), `{"pk":"${vectors.keys.initiator_pk}"}`);
  assert(PubKey.fromHex("0".repeat(66)).isNull());
  assert(PubKey.fromHex("").isNull());
  assertThrows(() => PubKey.fromHex("02" + "00".repeat(32)), CipherError, "not a point");
  assertThrows(() => PubKey.fromHex("abc"), CipherError);
  assertThrows(() => PubKey.fromHex("zz" + vectors.keys.initiator_pk.slice(2)), CipherError);
  assertThrows(() => SecKey.fromHex("00".repeat(32)), CipherError);
  assertEquals(String(SecKey.fromHex(vectors.keys.initiator_sk)), "[secret key]");
  assertEquals(JSON.stringify(SecKey.fromHex(vectors.keys.initiator_sk)), '"[secret key]"');
});

Deno.test("transport ids are order-independent UUIDs with version 0 and the RFC 4122 variant", () => {
  const a = PubKey.fromHex(vectors.keys.initiator_pk);
  const b = PubKey.fromHex(vectors.keys.responder_pk);
  const id = makeTransportId(a, b, "stcpr");
  assertEquals(id, makeTransportId(b, a, "stcpr"));
  assert(/^[0-9a-f]{8}-[0-9a-f]{4}-0[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id), id);
  assert(id !== makeTransportId(a, b, "dmsg"));
});

Deno.test("sha256 gives node:crypto's digests, in parts too, in JavaScript and through libcrypto", async () => {
  const { createHash } = await import("node:crypto");
  const check = (seed: number) => {
    const prng = new Prng(seed);
    for (let i = 0; i < 300; i++) {
      const size = i < 70 ? i : prng.int(9_000);
      const data = prng.bytes(size);
      const want = new Uint8Array(createHash("sha256").update(data).digest());
      assertEquals(sha256(data), want, `${size} bytes`);
      const cut = prng.int(size + 1);
      assertEquals(sha256(data.subarray(0, cut), data.subarray(cut)), want, `${size} bytes, cut`);
    }
    assertEquals(sha256(), new Uint8Array(createHash("sha256").digest()));
  };
  check(0x5a256);
  // From here on this process hashes through libcrypto, where it opens.
  useNativeHashes();
  check(0x5a257);
});

Deno.test({
  name: "sha256 maps libcrypto only once useNativeHashes is called (as the noise AEAD does)",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const module = new URL("../../../mod/cipher/mod.ts", import.meta.url).href;
    const script = `import { bytesToHex, sha256, useNativeHashes } from ${JSON.stringify(module)};
      const mapped = () => Deno.readTextFileSync("/proc/self/maps").includes("libcrypto");
      const abc = new TextEncoder().encode("abc");
      const before = [bytesToHex(sha256(abc)), mapped()];
      const native = useNativeHashes();
      console.log(JSON.stringify([...before, native, bytesToHex(sha256(abc)), mapped()]));`;
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-check", script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(code, 0, new TextDecoder().decode(stderr));
    const digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const [jsDigest, mappedBefore, native, laterDigest, mappedAfter] = JSON.parse(
      new TextDecoder().decode(stdout),
    );
    assertEquals([jsDigest, mappedBefore], [digest, false]);
    assertEquals(laterDigest, digest);
    // Where the system has libcrypto it is mapped now; without it, hashing stays in JavaScript.
    assertEquals(mappedAfter, native);
  },
});

Deno.test("without the FFI permission sha256 hashes in JavaScript, hmacSha256 through node:crypto: same bytes, nothing logged", async () => {
  const module = new URL("../../../mod/cipher/mod.ts", import.meta.url).href;
  const { code, stdout, stderr } = await runWithoutPermissions(
    `import { bytesToHex, hmacSha256, sha256, useNativeHashes } from ${JSON.stringify(module)};
    if (useNativeHashes()) throw new Error("libcrypto opened without the FFI permission");
    const abc = new TextEncoder().encode("abc");
    console.log(bytesToHex(sha256(abc)), bytesToHex(sha256(abc.subarray(0, 1), abc.subarray(1))),
      bytesToHex(hmacSha256(new TextEncoder().encode("Jefe"), new TextEncoder().encode("what do ya want for nothing?"))));`,
  );
  assertEquals(code, 0, stderr);
  assertEquals(stderr, "");
  const digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  // RFC 4231 test case 2.
  const mac = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  assertEquals(stdout.trim(), `${digest} ${digest} ${mac}`);
});

Deno.test("hmacSha256 (libcrypto over FFI when it opens) gives node:crypto's MACs, empty and long keys too", async () => {
  const { createHmac } = await import("node:crypto");
  useNativeHashes();
  const prng = new Prng(0x4ac);
  for (let i = 0; i < 300; i++) {
    const key = prng.bytes(i < 3 ? i : prng.int(200));
    const data = prng.bytes(i < 70 ? i : prng.int(9_000));
    const want = new Uint8Array(createHmac("sha256", key).update(data).digest());
    assertEquals(hmacSha256(key, data), want, `key ${key.length}, data ${data.length} bytes`);
    const cut = prng.int(data.length + 1);
    assertEquals(hmacSha256(key, data.subarray(0, cut), data.subarray(cut)), want);
  }
});
