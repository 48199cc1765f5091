import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { ed25519 } from "@noble/curves/ed25519.js";
import {
  canonicalJson,
  createRelease,
  decodePublicKey,
  decodeSecretKeyFile,
  EMBEDDED_RELEASE_KEYS,
  encodeManifest,
  encodePublicKeyFile,
  encodeSecretKeyFile,
  generateReleaseKeyPair,
  MANIFEST_SIGNING_CONTEXT,
  ManifestError,
  manifestSigningBytes,
  parseReleasePublicKey,
  parseSignedManifest,
  type Release,
  ReleaseKeyError,
  releaseKeyId,
  signManifest,
  trustedReleaseKeys,
  unsignedManifest,
  validateRelease,
  verifyManifest,
} from "../../../mod/release/mod.ts";
import { bytesToHex } from "../../../mod/cipher/mod.ts";
import { mulberry32 as prng } from "../../_util/prng.ts";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);

function sampleRelease(overrides: Partial<Parameters<typeof createRelease>[0]> = {}): Release {
  return createRelease({
    version: "0.2.0",
    channel: "stable",
    date: new Date("2026-03-04T05:06:07Z"),
    assets: {
      "x86_64-unknown-linux-gnu": {
        file: "skywire-x86_64-unknown-linux-gnu",
        size: 1000,
        sha256: SHA_A,
      },
      "aarch64-unknown-linux-gnu": {
        file: "skywire-aarch64-unknown-linux-gnu",
        size: 2000,
        sha256: SHA_B,
      },
    },
    ...overrides,
  });
}

function expectCode(fn: () => unknown, code: string): ManifestError {
  const error = assertThrows(fn, ManifestError);
  assertEquals(error.code, code, error.message);
  return error;
}

Deno.test("canonicalJson sorts keys, drops whitespace and refuses floats", () => {
  assertEquals(
    canonicalJson({ b: 1, a: [true, null, "x\u00e9\n"], c: { z: 0, y: -3 } }),
    '{"a":[true,null,"x\u00e9\\n"],"b":1,"c":{"y":-3,"z":0}}',
  );
  assertEquals(canonicalJson(JSON.parse('{ "b" : 1 ,\n "a" : 2 }')), canonicalJson({ a: 2, b: 1 }));
  assertThrows(() => canonicalJson({ a: 1.5 }), TypeError);
  assertThrows(() => canonicalJson({ a: 2 ** 60 }), TypeError);
  assertThrows(() => canonicalJson({ a: undefined }), TypeError);
  assertThrows(() => canonicalJson(new Date()), TypeError);
});

Deno.test("the signed bytes are the context line plus canonical JSON of the release", () => {
  const release = sampleRelease();
  const bytes = new TextDecoder().decode(manifestSigningBytes(release));
  assert(bytes.startsWith(MANIFEST_SIGNING_CONTEXT));
  const body = JSON.parse(bytes.slice(MANIFEST_SIGNING_CONTEXT.length));
  assertEquals(body.version, "0.2.0");
  assertEquals(body.channel, "stable");
  assertEquals(body.date, "2026-03-04T05:06:07Z");
  assertEquals(body.type, "skywire-release");
});

Deno.test("a signed manifest verifies after an encode/parse round trip and whitespace changes", () => {
  const key = generateReleaseKeyPair();
  const text = encodeManifest(signManifest(unsignedManifest(sampleRelease()), key));
  const verified = verifyManifest(parseSignedManifest(text), {
    trustedKeys: [key],
    channel: "stable",
  });
  assertEquals(verified.keyId, key.keyId);
  assertEquals(verified.release, sampleRelease());
  // Reformatting and reordering keys does not change what was signed.
  const reordered = JSON.stringify(JSON.parse(text));
  verifyManifest(parseSignedManifest(new TextEncoder().encode(reordered)), { trustedKeys: [key] });
});

Deno.test("changing any signed field breaks the signature", () => {
  const key = generateReleaseKeyPair();
  const manifest = signManifest(unsignedManifest(sampleRelease()), key);
  type Editable = Record<string, unknown> & { assets: Record<string, Record<string, unknown>> };
  const edits: Array<(s: Editable) => void> = [
    (s) => (s.version = "0.2.1"),
    (s) => (s.channel = "testing"),
    (s) => (s.date = "2026-03-05T05:06:07Z"),
    (s) => (s.assets["x86_64-unknown-linux-gnu"].sha256 = SHA_B),
    (s) => (s.assets["x86_64-unknown-linux-gnu"].size = 1001),
    (s) => (s.assets["x86_64-unknown-linux-gnu"].file = "other"),
    // Swapping the two targets' assets.
    (s) => {
      const a = s.assets["x86_64-unknown-linux-gnu"];
      s.assets["x86_64-unknown-linux-gnu"] = s.assets["aarch64-unknown-linux-gnu"];
      s.assets["aarch64-unknown-linux-gnu"] = a;
    },
    (s) => (s.notes = "added"),
    (s) => (s.extra = 1),
  ];
  for (const edit of edits) {
    const copy = structuredClone(manifest);
    edit(copy.signed as Editable);
    expectCode(() => verifyManifest(copy, { trustedKeys: [key] }), "bad-signature");
  }
});

Deno.test("an unknown key, no signature and the wrong channel are told apart", () => {
  const key = generateReleaseKeyPair();
  const other = generateReleaseKeyPair();
  const manifest = signManifest(unsignedManifest(sampleRelease()), key);
  const unknown = expectCode(
    () => verifyManifest(manifest, { trustedKeys: [other] }),
    "unknown-key",
  );
  assertMatch(unknown.message, new RegExp(key.keyId));
  expectCode(
    () => verifyManifest(unsignedManifest(sampleRelease()), { trustedKeys: [key] }),
    "no-signature",
  );
  expectCode(
    () => verifyManifest(manifest, { trustedKeys: [key], channel: "testing" }),
    "wrong-channel",
  );
  // A signature that names a trusted key id but was made by another key is a bad signature.
  const forged = structuredClone(manifest);
  forged.signatures[0].sig = bytesToHex(
    ed25519.sign(manifestSigningBytes(forged.signed), other.secretKey),
  );
  expectCode(() => verifyManifest(forged, { trustedKeys: [key] }), "bad-signature");
});

Deno.test("key rotation: a manifest signed by the old and the new key verifies with either", () => {
  const oldKey = generateReleaseKeyPair();
  const newKey = generateReleaseKeyPair();
  const both = signManifest(signManifest(unsignedManifest(sampleRelease()), oldKey), newKey);
  assertEquals(both.signatures.map((s) => s.key_id), [oldKey.keyId, newKey.keyId]);
  assertEquals(verifyManifest(both, { trustedKeys: [oldKey] }).keyId, oldKey.keyId);
  assertEquals(verifyManifest(both, { trustedKeys: [newKey] }).keyId, newKey.keyId);
  // Signing again with the same key replaces its signature rather than adding one.
  assertEquals(signManifest(both, newKey).signatures.length, 2);
  // A bad signature by one trusted key does not hide a good one by another.
  const damaged = structuredClone(both);
  damaged.signatures[0].sig = "00".repeat(64);
  assertEquals(verifyManifest(damaged, { trustedKeys: [oldKey, newKey] }).keyId, newKey.keyId);
});

Deno.test("validateRelease names the bad field", () => {
  const good = sampleRelease() as unknown as Record<string, unknown>;
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...good, type: "x" }, /"type"/],
    [{ ...good, format: 2 }, /format/],
    [{ ...good, version: "v0.2.0" }, /"version"/],
    [{ ...good, version: "0.2" }, /"version"/],
    [{ ...good, channel: "nightly" }, /"channel"/],
    [{ ...good, date: "yesterday" }, /"date"/],
    [{ ...good, assets: {} }, /no asset/],
    [
      { ...good, assets: { "x86_64-unknown-linux-gnu": { file: "../x", size: 1, sha256: SHA_A } } },
      /file/,
    ],
    [
      { ...good, assets: { "x86_64-unknown-linux-gnu": { file: "a/b", size: 1, sha256: SHA_A } } },
      /file/,
    ],
    [
      { ...good, assets: { "x86_64-unknown-linux-gnu": { file: "x", size: 0, sha256: SHA_A } } },
      /size/,
    ],
    [{
      ...good,
      assets: { "x86_64-unknown-linux-gnu": { file: "x", size: 2 ** 40, sha256: SHA_A } },
    }, /limit/],
    [{
      ...good,
      assets: { "x86_64-unknown-linux-gnu": { file: "x", size: 1, sha256: "AB".repeat(32) } },
    }, /sha256/],
  ];
  for (const [value, pattern] of cases) {
    const error = expectCode(() => validateRelease(value), "malformed");
    assertMatch(error.message, pattern);
  }
});

Deno.test("release keys: ids, small-order points and key files", () => {
  const pair = generateReleaseKeyPair();
  assertEquals(pair.keyId, releaseKeyId(pair.publicKey));
  assertEquals(pair.keyId.length, 16);
  assertEquals(parseReleasePublicKey(bytesToHex(pair.publicKey)).keyId, pair.keyId);
  assertThrows(() => parseReleasePublicKey("00".repeat(32)), ReleaseKeyError, "small-order");
  assertThrows(() => parseReleasePublicKey("ff".repeat(32)), ReleaseKeyError);
  assertThrows(() => parseReleasePublicKey("abc"), ReleaseKeyError);
  const back = decodeSecretKeyFile(encodeSecretKeyFile(pair));
  assertEquals(back.secretKey, pair.secretKey);
  assertEquals(decodePublicKey(encodePublicKeyFile(pair)).keyId, pair.keyId);
  assertEquals(decodePublicKey(bytesToHex(pair.publicKey)).keyId, pair.keyId);
  const tampered = JSON.parse(encodeSecretKeyFile(pair));
  tampered.public_key = bytesToHex(generateReleaseKeyPair().publicKey);
  assertThrows(
    () => decodeSecretKeyFile(JSON.stringify(tampered)),
    ReleaseKeyError,
    "does not belong",
  );
  const error = assertThrows(
    () => decodeSecretKeyFile("not json " + bytesToHex(pair.secretKey)),
    ReleaseKeyError,
  );
  assert(!error.message.includes(bytesToHex(pair.secretKey)), "the secret is never echoed");
});

Deno.test("the embedded maintainers' keys parse and their ids match", () => {
  assert(EMBEDDED_RELEASE_KEYS.length >= 1);
  for (const entry of EMBEDDED_RELEASE_KEYS) {
    assertEquals(parseReleasePublicKey(entry.publicKey).keyId, entry.keyId);
  }
  const extra = generateReleaseKeyPair();
  const keys = trustedReleaseKeys([bytesToHex(extra.publicKey), bytesToHex(extra.publicKey)]);
  assertEquals(keys.length, EMBEDDED_RELEASE_KEYS.length + 1, "duplicates collapse");
  assertThrows(() => trustedReleaseKeys(["nothex"]), ReleaseKeyError);
});

Deno.test("parseSignedManifest refuses oversize and malformed input with typed errors", () => {
  expectCode(() => parseSignedManifest("x".repeat(1024 * 1024 + 1)), "too-large");
  for (
    const text of [
      "",
      "null",
      "[]",
      "{}",
      '{"signed":[],"signatures":[]}',
      '{"signed":{},"signatures":{}}',
      '{"signed":{"a":1.5},"signatures":[]}',
      '{"signed":{},"signatures":[{"key_id":"x","sig":"y"}]}',
    ]
  ) {
    expectCode(() => parseSignedManifest(text), "malformed");
  }
});

/** Seeded PRNG (mulberry32) so a failing input can be reproduced. */

Deno.test("fuzz: 50,000 random and mutated manifests only ever raise ManifestError", () => {
  const random = prng(0x5eed);
  const int = (n: number) => Math.floor(random() * n);
  const key = generateReleaseKeyPair();
  const base = new TextEncoder().encode(
    encodeManifest(signManifest(unsignedManifest(sampleRelease()), key)),
  );
  const tokens = [
    '"',
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "0",
    "-1",
    "1e9",
    "1.5",
    "null",
    "true",
    '"x"',
    "\\u0000",
    "9".repeat(30),
  ];
  const expected = sampleRelease();
  const outcomes = new Map<string, number>();
  let verified = 0;
  for (let i = 0; i < 50_000; i++) {
    let input: Uint8Array;
    const mode = i % 4;
    if (mode === 0) {
      input = new Uint8Array(int(300));
      for (let j = 0; j < input.length; j++) input[j] = int(256);
    } else if (mode === 1) {
      input = base.slice();
      for (let flips = 1 + int(4); flips > 0; flips--) input[int(input.length)] = int(256);
    } else if (mode === 2) {
      const text = new TextDecoder().decode(base);
      const at = int(text.length);
      const cut = int(20);
      input = new TextEncoder().encode(
        text.slice(0, at) + tokens[int(tokens.length)] + text.slice(at + cut),
      );
    } else {
      input = base.subarray(0, int(base.length));
    }
    try {
      const parsed = parseSignedManifest(input);
      const { release } = verifyManifest(parsed, { trustedKeys: [key], channel: "stable" });
      // Whatever verifies must mean exactly the release that was signed.
      assertEquals(release, expected);
      verified++;
      outcomes.set("ok", (outcomes.get("ok") ?? 0) + 1);
    } catch (error) {
      if (!(error instanceof ManifestError)) {
        throw new Error(
          `input ${i} raised ${String(error)}: ${JSON.stringify(new TextDecoder().decode(input))}`,
        );
      }
      outcomes.set(error.code, (outcomes.get(error.code) ?? 0) + 1);
    }
  }
  // The mutations reach every check, not just the JSON parser.
  for (const code of ["malformed", "bad-signature", "unknown-key"]) {
    assert(
      (outcomes.get(code) ?? 0) > 0,
      `no input reached ${code}: ${JSON.stringify([...outcomes])}`,
    );
  }
  // Only mutations outside the meaning (whitespace, escapes) may still verify.
  assert(verified < 1_000, `${verified} mutated inputs verified`);
});
