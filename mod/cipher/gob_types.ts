/**
 * Gob descriptions of the cipher types that other protocols' wire structs embed (Go's
 * `cipher.PubKey`, `cipher.SHA256`); the public face exports them as `cipherGob`.
 *
 * @module
 */
import { type ByteArrayType, type ExternalType, go } from "../gob/mod.ts";
import { PubKey as PubKeyValue } from "./pub_key.ts";

/**
 * `cipher.PubKey`: a `[33]byte` with a value-receiver `MarshalBinary`, so gob sends it as 33
 * opaque bytes and leaves a null key out of a struct. Decoding checks the key is on the curve
 * (Go's `UnmarshalBinary` does too).
 */
export const PubKey: ExternalType<PubKeyValue> = go.external<PubKeyValue>("cipher.PubKey", {
  marshaler: "binary",
  encode: (pk) => pk.view,
  decode: (bytes) => PubKeyValue.fromBytes(bytes),
  isZero: (pk) => pk.isNull(),
  zero: () => PubKeyValue.NULL,
});

/** `cipher.SHA256`: a plain `[32]byte` (no marshaler), sent byte by byte as an array. */
export const SHA256: ByteArrayType = go.byteArray(32, "cipher.SHA256");
