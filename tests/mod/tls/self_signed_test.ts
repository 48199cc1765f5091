import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { generateSelfSigned, ipAddressBytes, parsePem } from "../../../mod/tls/mod.ts";
import { tempDir } from "../../_util/temp_dir.ts";

/** `openssl ARGS` (Debian's, as an operator would check a certificate); stdout. */
async function openssl(...args: string[]): Promise<string> {
  const out = await new Deno.Command("openssl", { args, stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`openssl ${args.join(" ")}: ${text}`);
  return text;
}

Deno.test("generateSelfSigned makes a P-256 server certificate that OpenSSL reads and verifies", async () => {
  await using dir = await tempDir();
  const notBefore = new Date("2026-01-01T00:00:00Z");
  const pair = await generateSelfSigned({
    hosts: ["localhost", "127.0.0.1", "::1", "node-1.lan", "fe80::1:2", "not_a_name"],
    validDays: 30,
    notBefore,
  });
  assertEquals(parsePem(pair.cert).map((b) => b.label), ["CERTIFICATE"]);
  assertEquals(parsePem(pair.key).map((b) => b.label), ["PRIVATE KEY"]);
  const cert = join(dir.path, "cert.pem");
  const key = join(dir.path, "key.pem");
  await Deno.writeTextFile(cert, pair.cert);
  await Deno.writeTextFile(key, pair.key);

  const text = await openssl("x509", "-in", cert, "-noout", "-text");
  assertStringIncludes(text, "Version: 3 (0x2)");
  assertStringIncludes(text, "Signature Algorithm: ecdsa-with-SHA256");
  assertStringIncludes(text, "Subject: CN = skywire");
  assertStringIncludes(text, "Issuer: CN = skywire");
  assertStringIncludes(text, "Not Before: Jan  1 00:00:00 2026 GMT");
  assertStringIncludes(text, "Not After : Jan 31 00:00:00 2026 GMT");
  assertStringIncludes(text, "NIST CURVE: P-256");
  assertStringIncludes(
    text,
    "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:node-1.lan, " +
      "IP Address:FE80:0:0:0:0:0:1:2\n",
  );
  assertStringIncludes(text, "CA:FALSE");
  assertStringIncludes(text, "Key Usage: critical\n                Digital Signature");
  assertStringIncludes(text, "TLS Web Server Authentication");
  // The signature verifies with its own key, for a TLS server, at a time it is valid.
  const at = String(Math.floor(notBefore.getTime() / 1000) + 3600);
  assertStringIncludes(
    await openssl("verify", "-attime", at, "-CAfile", cert, "-purpose", "sslserver", cert),
    ": OK",
  );
  // The key is the certificate's.
  assertEquals(
    await openssl("pkey", "-in", key, "-pubout"),
    await openssl("x509", "-in", cert, "-noout", "-pubkey"),
  );
});

Deno.test("validity past 2049 is written as GeneralizedTime, before as UTCTime", async () => {
  await using dir = await tempDir();
  const pair = await generateSelfSigned({
    hosts: ["localhost"],
    notBefore: new Date("2049-12-31T12:00:00Z"),
    validDays: 1,
  });
  const cert = join(dir.path, "cert.pem");
  await Deno.writeTextFile(cert, pair.cert);
  const dates = await openssl("x509", "-in", cert, "-noout", "-dates");
  assertStringIncludes(dates, "notBefore=Dec 31 12:00:00 2049 GMT");
  assertStringIncludes(dates, "notAfter=Jan  1 12:00:00 2050 GMT");
  const der = parsePem(pair.cert)[0].der;
  // UTCTime "491231120000Z" (tag 0x17), then GeneralizedTime "20500101120000Z" (tag 0x18).
  const hex = der.toHex();
  assert(hex.includes("170d" + new TextEncoder().encode("491231120000Z").toHex()));
  assert(hex.includes("180f" + new TextEncoder().encode("20500101120000Z").toHex()));
});

Deno.test("two pairs differ (fresh key and serial each time)", async () => {
  const [a, b] = await Promise.all([
    generateSelfSigned({ hosts: ["localhost"] }),
    generateSelfSigned({ hosts: ["localhost"] }),
  ]);
  assert(a.key !== b.key && a.cert !== b.cert);
});

Deno.test("ipAddressBytes reads IPv4 and IPv6, and nothing else", () => {
  assertEquals([...ipAddressBytes("127.0.0.1")!], [127, 0, 0, 1]);
  assertEquals([...ipAddressBytes("::1")!], [...Array(15).fill(0), 1]);
  assertEquals(
    ipAddressBytes("2001:db8::8a2e:370:7334")!.toHex(),
    "20010db80000000000008a2e03707334",
  );
  assertEquals(ipAddressBytes("1:2:3:4:5:6:7:8")!.toHex(), "00010002000300040005000600070008");
  for (const bad of ["256.0.0.1", "localhost", "1::2::3", "1:2:3:4:5:6:7", "12345::", ":::", ""]) {
    assertEquals(ipAddressBytes(bad), undefined, bad);
  }
});
