import type { ByteStream } from "../conn/mod.ts";
import { MalformedFrameError } from "./errors.ts";

const NEWLINE = 0x0a, QUOTE = 0x22, BACKSLASH = 0x5c;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === NEWLINE;
}

/**
 * Read one JSON object or array as Go's `json.Encoder` sends it: the value, then `\n`. Returns
 * the value's bytes. At most `maxBytes` are read, newline included.
 *
 * The value's end is found by scanning (strings and nesting), as Go's decoder does, so a value
 * that spans lines is read whole; the newline after it is consumed. The handshakes are
 * lock-step: a peer sends nothing after its value until we answer, so anything but whitespace
 * after the value, or any byte after the newline, is a protocol error. Refusing it also means
 * no byte of the next stage (Noise frames, packets) is ever swallowed here. Throws
 * {@linkcode MalformedFrameError}.
 */
export async function readJsonLine(
  stream: Pick<ByteStream, "read">,
  maxBytes: number,
  what: string,
): Promise<Uint8Array> {
  const buf = new Uint8Array(maxBytes);
  let end = 0, start = -1, valueEnd = -1, depth = 0, inString = false, escaped = false;
  while (end < maxBytes) {
    const n = await stream.read(buf.subarray(end));
    if (n === null) throw new MalformedFrameError(`${what}: stream ended after ${end} bytes`);
    for (let i = end; i < end + n; i++) {
      const b = buf[i];
      if (valueEnd >= 0) {
        if (b === NEWLINE) {
          if (i + 1 !== end + n) {
            throw new MalformedFrameError(`${what}: ${end + n - i - 1} unexpected bytes after it`);
          }
          return buf.subarray(start, valueEnd + 1);
        }
        if (!isSpace(b)) throw new MalformedFrameError(`${what}: unexpected bytes after the value`);
      } else if (inString) {
        if (escaped) escaped = false;
        else if (b === BACKSLASH) escaped = true;
        else if (b === QUOTE) inString = false;
      } else if (start < 0) {
        if (isSpace(b)) continue;
        if (b !== 0x7b && b !== 0x5b) throw new MalformedFrameError(`${what}: want a JSON object`);
        start = i;
        depth = 1;
      } else if (b === QUOTE) {
        inString = true;
      } else if (b === 0x7b || b === 0x5b) {
        depth++;
      } else if ((b === 0x7d || b === 0x5d) && --depth === 0) {
        valueEnd = i;
      }
    }
    end += n;
  }
  throw new MalformedFrameError(`${what}: longer than ${maxBytes} bytes`);
}
