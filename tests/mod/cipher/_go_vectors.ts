import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  CipherError,
  ecdh,
  hexToBytes,
  PubKey,
  SecKey,
  type Secp256k1Backend,
  Sig,
  signPayload,
  verifyPubKeySignedPayload,
} from "../../../mod/cipher/mod.ts";

async function read(name: string) {
  return JSON.parse(await Deno.readTextFile(new URL(`../../testdata/${name}`, import.meta.url)));
}

/**
 * Asserts that `backend` reproduces the Go vectors (2024 skywire, 2023 dmsg): the ECDH bytes,
 * the RFC 6979 signature, Go's accept/reject verdict on every signature case, and the very
 * verdict (error message included) of `reference`.
 */
export async function assertGoVectors(
  backend: Secp256k1Backend,
  reference: Secp256k1Backend,
): Promise<void> {
  const go2024 = await read("go-skywire-2024-vectors.json");
  const go2023 = await read("go-dmsg-2023-vectors.json");
  for (const pair of go2024.ecdh.pairs) {
    const out = ecdh(PubKey.fromHex(pair.pk), SecKey.fromHex(pair.sk), backend);
    assertEquals(Array.from(out), Array.from(hexToBytes(pair.out)), pair.name);
  }
  assertEquals(
    Array.from(ecdh(PubKey.fromHex(go2023.ecdh.pub), SecKey.fromHex(go2023.ecdh.sec), backend)),
    Array.from(hexToBytes(go2023.ecdh.out)),
  );
  for (const invalid of go2024.ecdh.invalid_pk) {
    assertThrows(() => PubKey.fromHex(invalid.pk), CipherError, "not a point");
  }
  const { signatures } = go2024;
  const payload = hexToBytes(signatures.payload);
  const cases = [...signatures.cases, signatures.go_random_nonce, {
    name: "2023",
    pk: go2023.signature.pk,
    sig: go2023.signature.sig,
    go_verify: "ok",
    payload: go2023.signature.payload,
  }];
  for (const item of cases) {
    const verdicts = [backend, reference].map((each) => {
      try {
        verifyPubKeySignedPayload(
          PubKey.fromHex(item.pk),
          Sig.fromHex(item.sig),
          item.payload ? hexToBytes(item.payload) : payload,
          each,
        );
        return "ok";
      } catch (error) {
        assert(error instanceof CipherError);
        return error.message;
      }
    });
    assertEquals(verdicts[0], verdicts[1], item.name);
    assertEquals(verdicts[0] === "ok", item.go_verify === "ok", item.name);
  }
  const valid = signatures.cases.find((c: { name: string }) => c.name === "valid");
  assertEquals(signPayload(payload, SecKey.fromHex(signatures.sk), backend).hex(), valid.sig);
}
