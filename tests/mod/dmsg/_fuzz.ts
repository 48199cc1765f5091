import { Prng } from "../../_util/prng.ts";
export { Prng };

/**
 * A mutation of `seed`: bit flips, byte overwrites with edge values, truncation, extension,
 * splices of a random run, insertions and deletions; `skip` bytes at the front are mutated
 * less often (they hold a signature whose check is the expensive part).
 */
export function mutate(rng: Prng, seed: Uint8Array, skip = 0): Uint8Array {
  let out = seed.slice();
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    const inTail = out.length > skip && rng.next() < 0.8;
    const at = () => inTail ? skip + rng.int(out.length - skip) : rng.int(Math.max(1, out.length));
    switch (rng.int(7)) {
      case 0:
        if (out.length) out[at()] ^= 1 << rng.int(8);
        break;
      case 1:
        if (out.length) out[at()] = rng.pick([0, 1, 0x7f, 0x80, 0xfe, 0xff]);
        break;
      case 2:
        out = out.subarray(0, rng.int(out.length + 1));
        break;
      case 3: {
        const extra = rng.bytes(1 + rng.int(64));
        const grown = new Uint8Array(out.length + extra.length);
        grown.set(out);
        grown.set(extra, out.length);
        out = grown;
        break;
      }
      case 4: {
        if (!out.length) break;
        const start = at();
        out.set(rng.bytes(Math.min(1 + rng.int(8), out.length - start)), start);
        break;
      }
      case 5: {
        const pos = at();
        const ins = rng.bytes(1 + rng.int(4));
        const grown = new Uint8Array(out.length + ins.length);
        grown.set(out.subarray(0, pos));
        grown.set(ins, pos);
        grown.set(out.subarray(pos), pos + ins.length);
        out = grown;
        break;
      }
      default: {
        if (!out.length) break;
        const pos = at();
        const cut = Math.min(1 + rng.int(4), out.length - pos);
        const shrunk = new Uint8Array(out.length - cut);
        shrunk.set(out.subarray(0, pos));
        shrunk.set(out.subarray(pos + cut), pos);
        out = shrunk;
      }
    }
  }
  return out;
}
