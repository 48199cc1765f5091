import { loadX509 } from "./_x509.ts";

/** A self-signed certificate and its private key, both PEM. */
export interface SelfSignedPair {
  /** The certificate (`CERTIFICATE`). */
  cert: string;
  /** The PKCS#8 private key (`PRIVATE KEY`). */
  key: string;
}

/** Options for {@linkcode generateSelfSigned}. */
export interface SelfSignedOptions {
  /** Names and IP addresses the certificate is for (its subjectAltName). */
  hosts: readonly string[];
  /** Subject common name (default `skywire`). */
  commonName?: string;
  /** Days it stays valid (default 3650: a node's own UI, not a public CA's 398-day rule). */
  validDays?: number;
  /** When it starts being valid (default now; tests set it). */
  notBefore?: Date;
}

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Make an ECDSA P-256 key pair with WebCrypto and a self-signed X.509 certificate for `hosts`
 * (a TLS server certificate: digitalSignature, serverAuth, not a CA). The X.509 package is
 * loaded here, on first use, so a node that never serves TLS never fetches or parses it.
 */
export async function generateSelfSigned(options: SelfSignedOptions): Promise<SelfSignedPair> {
  const x509 = await loadX509();
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] &= 0x7f; // A positive INTEGER (RFC 5280 §4.1.2.2).
  const notBefore = options.notBefore ?? new Date();
  const names = options.hosts.map((host) => ({
    type: IPV4.test(host) || host.includes(":") ? "ip" as const : "dns" as const,
    value: host,
  }));
  const cn = (options.commonName ?? "skywire").replace(/[,=+<>#;"\\]/g, "_");
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toHex(),
    name: `CN=${cn}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (options.validDays ?? 3650) * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.SubjectAlternativeNameExtension(names),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    cert: cert.toString("pem") + "\n",
    key: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") + "\n",
  };
}
