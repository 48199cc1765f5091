import { InvalidFieldError } from "./errors.ts";

/** Throw unless `value` is an integer in `[0, max]`; `what` names the field. */
export function assertUint(value: unknown, max: number, what: string): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw new InvalidFieldError(`${what} must be an integer in [0, ${max}], got ${value}`);
  }
}

/** Wrap a 64-bit value given as a bigint (signed or unsigned) into its unsigned form. */
export function toUint64(value: bigint, what: string): bigint {
  if (typeof value !== "bigint" || value < -(1n << 63n) || value >= 1n << 64n) {
    throw new InvalidFieldError(`${what} must be a 64-bit bigint, got ${value}`);
  }
  return BigInt.asUintN(64, value);
}

/** A DataView over exactly `bytes` (which may be a subarray of a larger buffer). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
