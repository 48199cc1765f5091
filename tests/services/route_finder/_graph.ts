// Transport graphs for the search tests: an in-memory TransportSource that counts its reads.
import { generateKeyPair, makeTransportId, PubKey } from "../../../mod/cipher/mod.ts";
import type { TransportLink, TransportSource } from "../../../services/route_finder/mod.ts";

/** A graph held in memory; `reads` counts `byEdges` calls, `asked` the keys asked for. */
export class MemorySource implements TransportSource {
  readonly links: TransportLink[] = [];
  reads = 0;
  asked = 0;
  /** When set, every read waits for it. */
  gate?: Promise<void>;

  /** Add a transport between `a` and `b` (hex); returns its id. */
  link(a: string, b: string, type = "dmsg"): string {
    const id = makeTransportId(PubKey.fromHex(a), PubKey.fromHex(b), type);
    this.links.push({ id, edges: a < b ? [a, b] : [b, a] });
    return id;
  }

  async byEdges(pks: string[]): Promise<TransportLink[]> {
    this.reads++;
    this.asked += pks.length;
    await this.gate;
    const wanted = new Set(pks);
    return this.links.filter((l) => wanted.has(l.edges[0]) || wanted.has(l.edges[1]));
  }
}

/** `n` fresh public keys, hex. */
export function pks(n: number): string[] {
  return Array.from({ length: n }, () => generateKeyPair().pk.hex());
}

/** A chain a0 - a1 - … - a(n-1). */
export function chain(n: number): { source: MemorySource; keys: string[] } {
  const source = new MemorySource();
  const keys = pks(n);
  for (let i = 1; i < n; i++) source.link(keys[i - 1], keys[i]);
  return { source, keys };
}
