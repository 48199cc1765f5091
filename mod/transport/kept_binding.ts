import type { PubKey } from "../cipher/mod.ts";
import type { Logger } from "../log/mod.ts";
import { jittered } from "./_jitter.ts";
import { Backoff, type BackoffOptions } from "../lifecycle/mod.ts";
import { STCPR_BIND_REFRESH_MS } from "./constants.ts";
import type { AddressResolver, ResolvedAddress } from "./registry.ts";

/** An address resolver that can also withdraw our binding (the AR client). */
export interface UnbindingResolver extends AddressResolver {
  /** Withdraw our binding (Go `DELETE /bind/stcpr`). */
  unbind?(): Promise<void>;
}

/** Options for {@linkcode KeptBinding}. */
export interface KeptBindingOptions {
  /** The address resolver to bind at. */
  resolver: UnbindingResolver;
  /**
   * How often a successful binding is repeated, ms (default 2 min, ±10% jitter each time).
   * Resolvers drop bindings that are not repeated (ours after 5 min); Go's keeps them, so
   * repeating is harmless there.
   */
  refreshMs?: number;
  /** Delays between failed binds (default 1 s ×2 up to 1 min). */
  retry?: BackoffOptions;
  /** One line per failed bind. */
  logger?: Logger;
}

/**
 * Keeps our stcpr binding at the address resolver (an {@linkcode AddressResolver} to hand to
 * `createStcprNetwork`): the network's one `bind` is remembered and repeated every
 * `refreshMs`, and a bind that failed (the resolver down or not yet up) is retried with capped
 * backoff, so a visor started before its resolver still becomes reachable. `resolve` passes
 * through. {@linkcode close} stops the timer and withdraws the binding when one was made.
 */
export class KeptBinding implements AddressResolver {
  readonly #o: KeptBindingOptions;
  readonly #retry: Backoff;
  #args?: { port: number; addresses: string[] };
  #timer?: ReturnType<typeof setTimeout>;
  #bound = false;
  #lastFailure?: string;
  #binding?: Promise<void>;
  #closed = false;

  /** Wrap `options.resolver`; nothing is sent before the first `bind`. */
  constructor(options: KeptBindingOptions) {
    this.#o = options;
    this.#retry = new Backoff(options.retry ?? { initialMs: 1_000, maxMs: 60_000, factor: 2 });
  }

  /** Whether the last bind succeeded. */
  get bound(): boolean {
    return this.#bound;
  }

  /** Bind now and keep the binding; resolves (or rejects) with the first attempt. */
  bind(port: number, addresses: string[]): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#args = { port, addresses: [...addresses] };
    clearTimeout(this.#timer);
    return this.#attempt();
  }

  /** Where `pk` listens (straight from the resolver). */
  resolve(pk: PubKey): Promise<ResolvedAddress> {
    return this.#o.resolver.resolve(pk);
  }

  /** Stop refreshing; withdraw the binding if one was made (a failure is logged). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#binding?.catch(() => {});
    if (!this.#bound || !this.#o.resolver.unbind) return;
    this.#bound = false;
    await this.#o.resolver.unbind().catch((error) =>
      this.#o.logger?.debug("stcpr unbind failed", { error: String(error) })
    );
  }

  #attempt(): Promise<void> {
    const args = this.#args!;
    const attempt = this.#o.resolver.bind(args.port, args.addresses);
    this.#binding = attempt;
    attempt.then(
      () => {
        if (!this.#bound) {
          this.#o.logger?.debug("stcpr bound at the address resolver", { port: args.port });
        }
        this.#bound = true;
        this.#lastFailure = undefined;
        this.#retry.reset();
        this.#schedule(jittered(this.#o.refreshMs ?? STCPR_BIND_REFRESH_MS));
      },
      (error) => {
        this.#bound = false;
        const delay = this.#retry.next();
        // A resolver that keeps refusing (e.g. no public address here) is said once per reason.
        const reason = String(error);
        const fields = { error: reason, retry_ms: delay };
        if (reason === this.#lastFailure) {
          this.#o.logger?.debug("stcpr bind at the address resolver failed again", fields);
        } else {
          this.#o.logger?.warn("stcpr bind at the address resolver failed; retrying", fields);
        }
        this.#lastFailure = reason;
        this.#schedule(delay);
      },
    ).finally(() => {
      if (this.#binding === attempt) this.#binding = undefined;
    });
    return attempt;
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#closed) this.#attempt().catch(() => {}); // logged in #attempt
    }, ms);
  }
}
