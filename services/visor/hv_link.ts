/**
 * The visor's side of the hypervisor link: for each key in the config's `hypervisors`, keep one
 * dmsg stream to that key's hypervisor port (46) and serve the visor RPC on it, as a Go visor
 * does (Go `ServeRPCClient`): the visor dials, the hypervisor calls. A stream that ends is
 * redialed after a backoff of 1 s doubling to 30 s, with jitter.
 *
 * @module
 */
import { PubKey } from "../../mod/cipher/mod.ts";
import type { DmsgClient } from "../../mod/dmsg/mod.ts";
import type { RpcServer } from "../../mod/gob/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import { Backoff, sleep } from "../../mod/lifecycle/mod.ts";

/** Go's `skyenv.DmsgHypervisorPort`: where a hypervisor accepts its visors' links. */
export const HYPERVISOR_DMSG_PORT = 46;

/** Redial pace of a link. */
export interface HvLinkBackoff {
  /** First wait after a failure or a drop, ms (default 1,000). */
  initialMs: number;
  /** Longest wait, ms (default 30,000). */
  maxMs: number;
}

/** Options for {@linkcode startHypervisorLinks}. */
export interface HypervisorLinksOptions {
  /** The visor's dmsg client. */
  dmsg: Pick<DmsgClient, "dialStream">;
  /** This visor's key (a hypervisor entry naming it is skipped). */
  self: PubKey;
  /** Hypervisor keys (hex), from the config's `hypervisors`. */
  hypervisors: readonly string[];
  /** The RPC server each link's stream is served by. */
  server: RpcServer;
  /** Where joins, drops and dial failures are logged. */
  logger: Logger;
  /** The hypervisors' dmsg port (default {@linkcode HYPERVISOR_DMSG_PORT}). */
  port?: number;
  /** Redial pace (tests use a fast one). */
  backoff?: HvLinkBackoff;
}

/** The running links. */
export interface HypervisorLinks {
  /** Hypervisors whose link is up now. */
  connected(): PubKey[];
  /** Stop redialing and close every link's stream; resolves once all are released. */
  close(): Promise<void>;
}

// A link that stayed up this long counts as healthy: its next redial starts from the first step.
const HEALTHY_LINK_MS = 10_000;

// A link that closes after this long without a request was closed for idleness (dmsg streams
// close after 2 min without traffic; Go's hypervisor sends none while its UI is closed).
const IDLE_CLOSE_MS = 100_000;

class Link {
  readonly pk: PubKey;
  readonly #options: HypervisorLinksOptions;
  readonly #stop: AbortSignal;
  #stream: { close(): void } | undefined;
  connected = false;
  // Whether "link up" was logged since the last drop that was logged (refused links repeat).
  #announced = false;
  readonly done: Promise<void>;

  constructor(pk: PubKey, options: HypervisorLinksOptions, stop: AbortSignal) {
    this.pk = pk;
    this.#options = options;
    this.#stop = stop;
    stop.addEventListener("abort", () => this.#closeStream(), { once: true });
    this.done = this.#run();
  }

  #closeStream(): void {
    try {
      this.#stream?.close();
    } catch {
      // already closed
    }
  }

  // A hypervisor whose fleet is full closes the link at once and an idle one is closed by dmsg:
  // both repeat, so they are debug; a link in use going down is worth a line.
  #logDown(upMs: number, quietMs: number): void {
    const log = this.#options.logger;
    const hypervisor = this.pk.hex();
    if (this.#stop.aborted) log.debug("hypervisor link closed", { hypervisor });
    else if (upMs < 1_000) {
      log.debug("the hypervisor closed the link at once; redialing", { hypervisor });
    } else if (quietMs >= IDLE_CLOSE_MS) {
      log.debug("hypervisor link idle; redialing", { hypervisor });
    } else {
      this.#announced = false;
      log.info("hypervisor link down; redialing", { hypervisor });
    }
  }

  async #run(): Promise<void> {
    const { initialMs, maxMs } = this.#options.backoff ?? { initialMs: 1_000, maxMs: 30_000 };
    const port = this.#options.port ?? HYPERVISOR_DMSG_PORT;
    const log = this.#options.logger;
    const hypervisor = this.pk.hex();
    const backoff = new Backoff({ initialMs, maxMs, factor: 2 });
    let failures = 0;
    while (!this.#stop.aborted) {
      let upSince = 0;
      let lastRead = 0;
      try {
        const stream = await this.#options.dmsg.dialStream(
          { pk: this.pk, port },
          { signal: this.#stop },
        );
        if (this.#stop.aborted) {
          stream.close();
          break;
        }
        this.#stream = stream;
        this.connected = true;
        upSince = Date.now();
        failures = 0;
        if (this.#announced) log.debug("hypervisor link up", { hypervisor, port });
        else log.info("hypervisor link up", { hypervisor, port });
        this.#announced = true;
        lastRead = upSince;
        await this.#options.server.serve({
          read: async (p) => {
            const n = await stream.read(p);
            if (n) lastRead = Date.now();
            return n;
          },
          write: (p) => stream.write(p),
          close: () => stream.close(),
        });
      } catch (error) {
        if (this.#stop.aborted) break;
        // The first failure is worth a line; repeats are debug noise while it stays down.
        const fields = { hypervisor, error: (error as Error).message ?? String(error) };
        if (failures++ === 0) log.info("cannot reach the hypervisor; retrying", fields);
        else log.debug("hypervisor still unreachable", fields);
      } finally {
        this.#stream = undefined;
        if (this.connected) {
          this.connected = false;
          this.#logDown(Date.now() - upSince, Date.now() - lastRead);
        }
      }
      if (upSince && Date.now() - upSince >= HEALTHY_LINK_MS) backoff.reset();
      // An idle link (a Go hypervisor calls only while its UI asks) comes back at once.
      const idle = upSince && Date.now() - lastRead >= IDLE_CLOSE_MS;
      if (idle) backoff.reset();
      const delay = idle ? 0 : backoff.next();
      // Jitter: between half and all of the step, so many visors do not redial in step.
      await sleep(delay / 2 + Math.random() * delay / 2, this.#stop);
    }
  }
}

/**
 * Start one link per hypervisor key (duplicates and this visor's own key are skipped; a key
 * that does not parse is logged and skipped).
 */
export function startHypervisorLinks(options: HypervisorLinksOptions): HypervisorLinks {
  const stop = new AbortController();
  const links = new Map<string, Link>();
  for (const hex of options.hypervisors) {
    let pk: PubKey;
    try {
      pk = PubKey.fromHex(hex);
    } catch (error) {
      options.logger.warn("ignoring a hypervisor key", { key: hex, error });
      continue;
    }
    if (pk.equals(options.self)) {
      options.logger.info("the config lists this visor as its own hypervisor; no link needed");
      continue;
    }
    if (!links.has(pk.hex())) links.set(pk.hex(), new Link(pk, options, stop.signal));
  }
  let closing: Promise<void> | undefined;
  return {
    connected: () => [...links.values()].filter((l) => l.connected).map((l) => l.pk),
    close() {
      closing ??= (async () => {
        stop.abort();
        await Promise.all([...links.values()].map((l) => l.done));
        await options.server.close();
      })();
      return closing;
    },
  };
}
