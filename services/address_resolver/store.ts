import type { PubKey } from "../../mod/cipher/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";

/**
 * Layout in Deno KV, under `["address_resolver", <network>]` (only `stcpr` is bound today):
 * `<pk hex>` → {@linkcode StoredBinding}. Each binding expires `ttlMs` after its last bind; Deno
 * KV deletes expired keys lazily, so every read also checks the stored expiry.
 */
const ROOT = "address_resolver";

/** What the resolver keeps for a bound visor (Go's `addrresolver.VisorData`, no `is_local`). */
export interface Binding {
  /** The IP the visor bound from. */
  remoteAddr: string;
  /** Its stcpr port, decimal. */
  port: string;
  /** Its interface addresses; `null` for Go's nil list. */
  addresses: string[] | null;
}

interface StoredBinding extends Binding {
  /** Unix ms after which the binding is gone; 0 = never. */
  expiresAt: number;
}

function live(expiresAt: number, now: number): boolean {
  return expiresAt === 0 || expiresAt > now;
}

/** Bindings of the address resolver in Deno KV. */
export class BindingStore {
  readonly #kv: () => Deno.Kv;
  readonly #now: () => number;
  readonly #log: Logger;

  /** `kv` is called at each use (a store may swap its handle on recovery); `now` is in ms. */
  constructor(kv: () => Deno.Kv, now: () => number, log: Logger) {
    this.#kv = kv;
    this.#now = now;
    this.#log = log;
  }

  /** Bind `pk` on `network` for `ttlMs` (0 = until unbound); replaces an earlier binding. */
  async bind(network: string, pk: PubKey, binding: Binding, ttlMs: number): Promise<void> {
    const expiresAt = ttlMs > 0 ? this.#now() + ttlMs : 0;
    const value: StoredBinding = { ...binding, expiresAt };
    await this.#kv().set([ROOT, network, pk.hex()], value, ttlMs > 0 ? { expireIn: ttlMs } : {});
  }

  /** Remove `pk`'s binding (absent is fine, as in Go). */
  async unbind(network: string, pk: PubKey): Promise<void> {
    await this.#kv().delete([ROOT, network, pk.hex()]);
  }

  /** `pk`'s live binding, if any. */
  async get(network: string, pk: PubKey): Promise<Binding | undefined> {
    const res = await this.#kv().get<StoredBinding>([ROOT, network, pk.hex()]);
    const value = res.value;
    if (!value || !live(value.expiresAt, this.#now())) return undefined;
    if (typeof value.remoteAddr !== "string" || typeof value.port !== "string") {
      // Only this service writes these records; one it cannot read is treated as absent.
      this.#log.warn("unreadable stored binding; treating it as absent", { pk: pk.hex() });
      return undefined;
    }
    return { remoteAddr: value.remoteAddr, port: value.port, addresses: value.addresses ?? null };
  }

  /** Keys (hex) of the visors with a live binding on `network`, in key order. */
  async keys(network: string): Promise<string[]> {
    const now = this.#now();
    const out: string[] = [];
    for await (const item of this.#kv().list<StoredBinding>({ prefix: [ROOT, network] })) {
      if (live(item.value.expiresAt, now)) out.push(String(item.key[2]));
    }
    return out;
  }
}
