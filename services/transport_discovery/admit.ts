/**
 * Which registrations the transport discovery accepts. Go's discovery stores whatever an
 * authenticated visor posts; this one requires what a settled transport always has:
 *
 * - the id is the deterministic id of the edges and type (Go's `MakeTransportID`), so no one
 *   can take another transport's id;
 * - the visor registering it is one of its edges;
 * - a new entry carries valid signatures of both edges (the settlement handshake's
 *   countersigned entry). An entry already registered may be posted again by an edge to keep it
 *   alive without signatures, as Go visors re-register every 90 s; a signature it does carry
 *   must still verify.
 *
 * @module
 */
import { makeTransportId, type PubKey } from "../../mod/cipher/mod.ts";
import { edgeIndex, entryToBinary, type SignedTransportEntry } from "../../mod/transport/mod.ts";
import { verifyPubKeySignedPayload } from "../../mod/cipher/mod.ts";

/** Longest transport type accepted (Go's are `dmsg`, `stcp`, `stcpr`, `sudph`). */
export const MAX_TYPE_BYTES = 32;
/** Longest label accepted (Go's are `user`, `automatic`, `skycoin`). */
export const MAX_LABEL_BYTES = 64;

/** The verdict on one posted entry. */
export type Admission = { ok: true } | { ok: false; error: string };

const encoder = new TextEncoder();

/**
 * Check `signed`, posted by `signer`; `registered` says whether a live entry with its id is
 * stored (ids are deterministic, so a stored one has the same edges and type).
 */
export function admitTransport(
  signed: SignedTransportEntry,
  signer: PubKey,
  registered: boolean,
): Admission {
  const { entry } = signed;
  const [a, b] = entry.edges;
  if (a.isNull() || b.isNull()) return { ok: false, error: "public key is invalid" };
  if (!/^[\x21-\x7e]+$/.test(entry.type) || entry.type.length > MAX_TYPE_BYTES) {
    return { ok: false, error: `invalid transport type for transport ${entry.id}` };
  }
  if (encoder.encode(entry.label).length > MAX_LABEL_BYTES) {
    return { ok: false, error: `label longer than ${MAX_LABEL_BYTES} bytes` };
  }
  if (entry.id !== makeTransportId(a, b, entry.type)) {
    return { ok: false, error: "transport ID is invalid" };
  }
  if (edgeIndex(entry, signer) < 0) {
    return { ok: false, error: `${signer.hex()} is not an edge of transport ${entry.id}` };
  }
  const binary = entryToBinary(entry);
  // A transport of a visor to itself is signed once, in the first slot (Go's `Sign`).
  const slots = a.equals(b) ? [0] : [0, 1];
  for (const i of slots) {
    const sig = signed.signatures[i];
    if (registered && sig.view.every((byte) => byte === 0)) continue;
    try {
      verifyPubKeySignedPayload(entry.edges[i], sig, binary);
    } catch {
      const what = sig.view.every((byte) => byte === 0) ? "is missing" : "does not verify";
      return { ok: false, error: `signature of edge ${i} of transport ${entry.id} ${what}` };
    }
  }
  return { ok: true };
}
