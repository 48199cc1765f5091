import { MAX_PORT, MIN_EPHEMERAL_PORT } from "./constants.ts";
import { DmsgError, DmsgErrorCode } from "./errors.ts";

/**
 * The local port table of a dmsg entity (Go `netutil.Porter`): listeners hold the ports they
 * listen on, dialed streams hold an ephemeral port from 49152–65535, handed out round-robin so
 * a port just freed is not reused at once. Each reservation returns its own release function,
 * which frees the port only while it still holds this reservation (identity-checked) and does
 * nothing the second time.
 */
export class Porter<T> {
  readonly #ports = new Map<number, T>();
  #nextEphemeral = MIN_EPHEMERAL_PORT;

  /** Ports in use. */
  get size(): number {
    return this.#ports.size;
  }

  /** What holds `port`, if anything. */
  get(port: number): T | undefined {
    return this.#ports.get(port);
  }

  /** Reserve `port` for `value`; throws {@linkcode DmsgError} 400 if it is taken or invalid. */
  reserve(port: number, value: T): () => void {
    if (!Number.isInteger(port) || port <= 0 || port > MAX_PORT) {
      throw new DmsgError(DmsgErrorCode.portOccupied, { detail: `invalid port ${port}` });
    }
    if (this.#ports.has(port)) throw new DmsgError(DmsgErrorCode.portOccupied);
    this.#ports.set(port, value);
    return this.#releaser(port, value);
  }

  /** Reserve the next free ephemeral port; throws {@linkcode DmsgError} 400 when all are taken. */
  reserveEphemeral(value: T): { port: number; release: () => void } {
    const span = MAX_PORT - MIN_EPHEMERAL_PORT + 1;
    for (let i = 0; i < span; i++) {
      const port = this.#nextEphemeral;
      this.#nextEphemeral = port === MAX_PORT ? MIN_EPHEMERAL_PORT : port + 1;
      if (this.#ports.has(port)) continue;
      this.#ports.set(port, value);
      return { port, release: this.#releaser(port, value) };
    }
    throw new DmsgError(DmsgErrorCode.portOccupied, { detail: "no ephemeral port left" });
  }

  #releaser(port: number, value: T): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (this.#ports.get(port) === value) this.#ports.delete(port);
    };
  }
}
