import {
  bitString,
  explicit,
  objectIdentifier,
  octetString,
  sequence,
  set,
  time,
  tlv,
  TRUE,
  unsignedInteger,
  utf8String,
} from "./_der.ts";

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

/**
 * Names a node's own certificate is made for: loopback by name and address, this machine's
 * host name, and the address the server listens on when it is a specific one.
 */
export function defaultCertificateHosts(listenHost = ""): string[] {
  const hosts = ["localhost", "127.0.0.1", "::1"];
  try {
    hosts.push(Deno.hostname());
  } catch {
    // No permission to read it: loopback names still do.
  }
  const listen = listenHost.replace(/^\[|\]$/g, "");
  if (listen && listen !== "0.0.0.0" && listen !== "::") hosts.push(listen);
  return [...new Set(hosts.filter((host) => host.length > 0))];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

// OIDs (RFC 5280, RFC 5758).
const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
const COMMON_NAME = "2.5.4.3";
const SUBJECT_ALT_NAME = "2.5.29.17";
const KEY_USAGE = "2.5.29.15";
const BASIC_CONSTRAINTS = "2.5.29.19";
const EXT_KEY_USAGE = "2.5.29.37";
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

/** The 4 or 16 bytes of an IP address, or `undefined` when `host` is not one. */
export function ipAddressBytes(host: string): Uint8Array | undefined {
  const v4 = IPV4.exec(host);
  if (v4) {
    const bytes = v4.slice(1).map(Number);
    return bytes.every((b) => b <= 255) ? new Uint8Array(bytes) : undefined;
  }
  if (!host.includes(":") || !/^[0-9A-Fa-f:]+$/.test(host)) return undefined;
  const halves = host.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (all.some((g) => g.length === 0 || g.length > 4)) return undefined;
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const value = parseInt(g, 16);
    out[2 * i] = value >> 8;
    out[2 * i + 1] = value & 0xff;
  });
  return out;
}

/** subjectAltName entries: `[7]` iPAddress or `[2]` dNSName; names neither can be are left out. */
function generalNames(hosts: readonly string[]): Uint8Array[] {
  const names: Uint8Array[] = [];
  for (const host of hosts) {
    const ip = ipAddressBytes(host);
    if (ip) names.push(tlv(0x87, ip));
    else if (DNS_NAME.test(host)) names.push(tlv(0x82, new TextEncoder().encode(host)));
  }
  return names;
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical
    ? sequence(objectIdentifier(oid), TRUE, octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

/** WebCrypto's ECDSA signature (r ‖ s, 32 bytes each) as X.509 wants it (ECDSA-Sig-Value). */
function derSignature(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return sequence(unsignedInteger(raw.subarray(0, half)), unsignedInteger(raw.subarray(half)));
}

function pem(label: string, der: Uint8Array): string {
  const body = der.toBase64().replace(/.{64}/g, "$&\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/**
 * Make an ECDSA P-256 key pair with WebCrypto and a self-signed X.509 v3 certificate for
 * `hosts`: a TLS server certificate (digitalSignature, serverAuth, not a CA). Built here from
 * a handful of DER encodings rather than an X.509 package: Deno installs every npm package its
 * lock names at each start, and a node that never serves TLS should not download one.
 */
export async function generateSelfSigned(options: SelfSignedOptions): Promise<SelfSignedPair> {
  const keys = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  );
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] &= 0x7f; // A positive serial number (RFC 5280 §4.1.2.2).
  serial[0] |= 0x01; // Never zero-led: always 16 bytes.
  const notBefore = options.notBefore ?? new Date();
  const notAfter = new Date(notBefore.getTime() + (options.validDays ?? 3650) * DAY_MS);
  const name = sequence(
    set(sequence(objectIdentifier(COMMON_NAME), utf8String(options.commonName ?? "skywire"))),
  );
  const algorithm = sequence(objectIdentifier(ECDSA_WITH_SHA256));
  const tbs = sequence(
    explicit(0, unsignedInteger(new Uint8Array([2]))), // v3
    unsignedInteger(serial),
    algorithm,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    spki,
    explicit(
      3,
      sequence(
        extension(SUBJECT_ALT_NAME, false, sequence(...generalNames(options.hosts))),
        extension(BASIC_CONSTRAINTS, true, sequence()),
        // digitalSignature only: bit 0 of a one-byte BIT STRING with 7 unused bits.
        extension(KEY_USAGE, true, bitString(new Uint8Array([0x80]), 7)),
        extension(EXT_KEY_USAGE, false, sequence(objectIdentifier(SERVER_AUTH))),
      ),
    ),
  );
  const signature = new Uint8Array(
    await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" },
      keys.privateKey,
      tbs as BufferSource,
    ),
  );
  const certificate = sequence(tbs, algorithm, bitString(derSignature(signature)));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  return { cert: pem("CERTIFICATE", certificate), key: pem("PRIVATE KEY", pkcs8) };
}
