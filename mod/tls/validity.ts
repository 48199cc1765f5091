/** When a certificate is valid: its `notBefore` and `notAfter` (RFC 5280 §4.1.2.5). */
export interface CertificateValidity {
  /** The first moment it is valid. */
  notBefore: Date;
  /** The last moment it is valid. */
  notAfter: Date;
}

interface Element {
  tag: number;
  start: number; // first byte of the contents
  end: number; // one past the last byte of the contents
}

/** The DER element at `at` within `[at, limit)`, or `undefined` when it does not fit. */
function element(der: Uint8Array, at: number, limit: number): Element | undefined {
  if (at + 2 > limit) return undefined;
  const tag = der[at];
  let length = der[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i];
    start += count;
  }
  const end = start + length;
  return end <= limit ? { tag, start, end } : undefined;
}

function timeOf(der: Uint8Array, e: Element): Date | undefined {
  const text = String.fromCharCode(...der.subarray(e.start, e.end));
  const match = e.tag === 0x17
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
    : e.tag === 0x18
    ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
    : null;
  if (!match) return undefined;
  let year = Number(match[1]);
  // UTCTime's two-digit year: 50–99 are 19xx, 00–49 are 20xx (RFC 5280).
  if (e.tag === 0x17) year += year >= 50 ? 1900 : 2000;
  const [month, day, hour, minute, second] = match.slice(2).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The validity period of a DER X.509 certificate, or `undefined` when the bytes are not one
 * (a malformed certificate is for the TLS library to refuse; this only reads dates).
 */
export function certificateValidity(der: Uint8Array): CertificateValidity | undefined {
  const certificate = element(der, 0, der.length);
  if (certificate?.tag !== 0x30) return undefined;
  const tbs = element(der, certificate.start, certificate.end);
  if (tbs?.tag !== 0x30) return undefined;
  let at = tbs.start;
  // version [0] (optional), serialNumber, signature, issuer, then validity.
  const fields: Element[] = [];
  while (fields.length < 4 && at < tbs.end) {
    const field = element(der, at, tbs.end);
    if (!field) return undefined;
    if (!(fields.length === 0 && field.tag === 0xa0)) fields.push(field);
    at = field.end;
  }
  const validity = fields[3];
  if (validity?.tag !== 0x30) return undefined;
  const first = element(der, validity.start, validity.end);
  const second = first && element(der, first.end, validity.end);
  const notBefore = first && timeOf(der, first);
  const notAfter = second && timeOf(der, second);
  return notBefore && notAfter ? { notBefore, notAfter } : undefined;
}
