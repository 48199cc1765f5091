/** One `-----BEGIN LABEL-----` … `-----END LABEL-----` block, decoded. */
export interface PemBlock {
  /** The label, e.g. `CERTIFICATE`, `PRIVATE KEY`, `EC PRIVATE KEY`. */
  label: string;
  /** The DER bytes. */
  der: Uint8Array;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The PEM blocks of `text`, in order. A block whose body is not base64 is left out, so a
 * caller that finds none of the blocks it wants can say the file is not usable.
 */
export function parsePem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const body = match[2].replace(/\s+/g, "");
    if (body.length === 0 || body.length % 4 !== 0 || !BASE64.test(body)) continue;
    blocks.push({ label: match[1], der: Uint8Array.fromBase64(body) });
  }
  return blocks;
}

/** Labels under which a PEM file holds a private key rustls (Deno's TLS) reads. */
export const PRIVATE_KEY_LABELS: ReadonlySet<string> = new Set([
  "PRIVATE KEY",
  "EC PRIVATE KEY",
  "RSA PRIVATE KEY",
]);

/**
 * SHA-256 fingerprint of a DER certificate as browsers show it: upper-case hex pairs joined
 * by colons (`AB:CD:…`).
 */
export async function certificateFingerprint(der: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der as BufferSource));
  return [...digest].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}
