import { assert, assertEquals } from "@std/assert";
// The same pinned packages the run-time loader uses, to read back what it made (the
// polyfill first, as the loader does). Not in deno.json's imports: see mod/tls/_x509.ts.
// deno-lint-ignore no-import-prefix
import "npm:reflect-metadata@0.2.2";
// deno-lint-ignore no-import-prefix
import * as x509 from "npm:@peculiar/x509@2.2.0";
import { X509_PACKAGE } from "../../../mod/tls/_x509.ts";
import { generateSelfSigned, parsePem } from "../../../mod/tls/mod.ts";

Deno.test("the test reads certificates with the package version the node loads", () => {
  assertEquals(X509_PACKAGE, "@peculiar/x509@2.2.0");
});

Deno.test("generateSelfSigned makes a P-256 server certificate for the hosts", async () => {
  const notBefore = new Date("2026-01-01T00:00:00Z");
  const pair = await generateSelfSigned({
    hosts: ["localhost", "127.0.0.1", "::1"],
    validDays: 10,
    notBefore,
  });
  const [certBlock] = parsePem(pair.cert);
  assertEquals(certBlock.label, "CERTIFICATE");
  assertEquals(parsePem(pair.key)[0].label, "PRIVATE KEY");
  const cert = new x509.X509Certificate(pair.cert);
  assertEquals(cert.subject, "CN=skywire");
  assertEquals(cert.issuer, cert.subject);
  assertEquals(cert.notBefore.getTime(), notBefore.getTime());
  assertEquals(cert.notAfter.getTime() - notBefore.getTime(), 10 * 86_400_000);
  assertEquals((cert.publicKey.algorithm as EcKeyAlgorithm).namedCurve, "P-256");
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension)!;
  assertEquals(
    san.names.toJSON().map((n) => `${n.type}:${n.value}`),
    ["dns:localhost", "ip:127.0.0.1", "ip:::1"],
  );
  assert(await cert.verify({ signatureOnly: true }), "self-signature verifies");
  // The key signs what the certificate's public key verifies.
  const key = await crypto.subtle.importKey(
    "pkcs8",
    parsePem(pair.key)[0].der as BufferSource,
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign"],
  );
  const data = new TextEncoder().encode("hello");
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, data);
  const publicKey = await cert.publicKey.export({ name: "ECDSA", namedCurve: "P-256" }, [
    "verify",
  ]);
  assert(
    await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, publicKey, signature, data),
  );
});

Deno.test("two pairs differ (fresh key and serial each time)", async () => {
  const [a, b] = await Promise.all([
    generateSelfSigned({ hosts: ["localhost"] }),
    generateSelfSigned({ hosts: ["localhost"] }),
  ]);
  assert(a.key !== b.key && a.cert !== b.cert);
});
