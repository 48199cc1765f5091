import { assertEquals } from "@std/assert";
import { generateKeyPair, PubKey, Sig, signPayload } from "../../../mod/cipher/mod.ts";
import { entryToBinary, makeEntry, newSignedEntry } from "../../../mod/transport/mod.ts";
import { admitTransport } from "../../../services/transport_discovery/mod.ts";
import { settledEntry } from "./_harness.ts";

const a = generateKeyPair();
const b = generateKeyPair();
const c = generateKeyPair();

Deno.test("admitTransport: a settled entry posted by either edge is admitted", () => {
  const signed = settledEntry(a, b);
  assertEquals(admitTransport(signed, a.pk, false), { ok: true });
  assertEquals(admitTransport(signed, b.pk, false), { ok: true });
  // A transport of a visor to itself carries one signature.
  const self = newSignedEntry(makeEntry(a.pk, a.pk, "stcpr"), a);
  assertEquals(admitTransport(self, a.pk, false), { ok: true });
});

Deno.test("admitTransport: refusals", () => {
  const signed = settledEntry(a, b);
  const refusal = (s: typeof signed, signer = a.pk, registered = false) => {
    const verdict = admitTransport(s, signer, registered);
    return verdict.ok ? "admitted" : verdict.error;
  };
  assertEquals(
    refusal(signed, c.pk),
    `${c.pk.hex()} is not an edge of transport ${signed.entry.id}`,
  );
  const one = newSignedEntry(signed.entry, a);
  assertEquals(refusal(one).endsWith("is missing"), true);
  // Edge b's slot signed by someone else.
  const forged = {
    ...signed,
    signatures: [signed.signatures[0], signPayload(entryToBinary(signed.entry), c.sk)] as [
      Sig,
      Sig,
    ],
  };
  assertEquals(
    refusal(forged),
    `signature of edge 1 of transport ${signed.entry.id} does not verify`,
  );
  const swapped = {
    ...signed,
    signatures: [signed.signatures[1], signed.signatures[0]] as [Sig, Sig],
  };
  assertEquals(refusal(swapped).includes("does not verify"), true);
  const otherId = { ...signed, entry: { ...signed.entry, id: crypto.randomUUID() } };
  assertEquals(refusal(otherId), "transport ID is invalid");
  // Changing the type changes the id and what was signed.
  const retyped = { ...signed, entry: { ...signed.entry, type: "stcp" } };
  assertEquals(refusal(retyped), "transport ID is invalid");
  const nullEdge = {
    ...signed,
    entry: { ...signed.entry, edges: [PubKey.NULL, b.pk] as [PubKey, PubKey] },
  };
  assertEquals(refusal(nullEdge), "public key is invalid");
  const longType = settledEntry(a, b, "x".repeat(33));
  assertEquals(refusal(longType).startsWith("invalid transport type"), true);
  const badType = settledEntry(a, b, "st cp");
  assertEquals(refusal(badType).startsWith("invalid transport type"), true);
  const longLabel = { ...signed, entry: { ...signed.entry, label: "é".repeat(33) } };
  assertEquals(refusal(longLabel), "label longer than 64 bytes");
});

Deno.test("admitTransport: a registered entry is refreshed without signatures, never with bad ones", () => {
  const signed = settledEntry(a, b);
  const bare = { ...signed, signatures: [Sig.zero(), Sig.zero()] as [Sig, Sig] };
  assertEquals(admitTransport(bare, a.pk, true), { ok: true });
  assertEquals(admitTransport(bare, a.pk, false).ok, false);
  assertEquals(admitTransport(bare, c.pk, true).ok, false);
  const wrong = { ...signed, signatures: [signed.signatures[1], Sig.zero()] as [Sig, Sig] };
  assertEquals(admitTransport(wrong, a.pk, true).ok, false);
});
