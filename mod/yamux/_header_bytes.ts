/**
 * Write a 12-byte yamux header without validation: the hot path of the frame writer, where every
 * field is already known to be in range. Version byte is always 0.
 */
export function writeHeader(
  out: Uint8Array,
  offset: number,
  type: number,
  flags: number,
  streamId: number,
  length: number,
): void {
  out[offset] = 0;
  out[offset + 1] = type;
  out[offset + 2] = flags >>> 8;
  out[offset + 3] = flags & 0xff;
  out[offset + 4] = streamId >>> 24;
  out[offset + 5] = (streamId >>> 16) & 0xff;
  out[offset + 6] = (streamId >>> 8) & 0xff;
  out[offset + 7] = streamId & 0xff;
  out[offset + 8] = length >>> 24;
  out[offset + 9] = (length >>> 16) & 0xff;
  out[offset + 10] = (length >>> 8) & 0xff;
  out[offset + 11] = length & 0xff;
}
