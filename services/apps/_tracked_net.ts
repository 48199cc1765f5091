import type { AppConn, AppDialOptions, AppListener, AppNet } from "../../mod/appnet/mod.ts";
import type { PubKey } from "../../mod/cipher/mod.ts";

/** The app run was stopped; its network refuses new work. */
export class AppStoppedError extends Error {
  /** Create the error. */
  constructor(name: string) {
    super(`app ${name} is stopped`);
    this.name = "AppStoppedError";
  }
}

/**
 * One app run's view of the visor's network: every connection and listener it makes is kept in
 * a map, an entry removed (identity-checked) when the app closes it, and {@linkcode closeAll}
 * closes whatever is left when the run ends. After that it refuses new dials and listeners, so
 * a dead app cannot hold a port.
 */
export class TrackedNet implements AppNet {
  readonly #inner: AppNet;
  readonly #name: string;
  readonly #conns = new Map<number, AppConn>();
  readonly #listeners = new Set<AppListener>();
  readonly #abort = new AbortController();
  #nextId = 1;

  /** Track `inner` for the run of app `name`. */
  constructor(inner: AppNet, name: string) {
    this.#inner = inner;
    this.#name = name;
  }

  /** Connections and listeners open now. */
  stats(): { conns: number; listeners: number } {
    return { conns: this.#conns.size, listeners: this.#listeners.size };
  }

  async dial(pk: PubKey, port: number, options: AppDialOptions = {}): Promise<AppConn> {
    if (this.#abort.signal.aborted) throw new AppStoppedError(this.#name);
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.#abort.signal])
      : this.#abort.signal;
    const conn = await this.#inner.dial(pk, port, { ...options, signal });
    if (this.#abort.signal.aborted) {
      conn.close();
      throw new AppStoppedError(this.#name);
    }
    return this.#track(conn);
  }

  listen(port: number): AppListener {
    if (this.#abort.signal.aborted) throw new AppStoppedError(this.#name);
    const inner = this.#inner.listen(port);
    const listener: AppListener = {
      accept: async () => {
        const conn = await inner.accept();
        if (!conn) return null;
        if (this.#abort.signal.aborted) {
          conn.close();
          return null;
        }
        return this.#track(conn);
      },
      close: () => {
        this.#listeners.delete(listener);
        inner.close();
      },
    };
    this.#listeners.add(listener);
    return listener;
  }

  /** End the run's network use: close every listener and connection, refuse new ones. */
  closeAll(): void {
    this.#abort.abort();
    for (const listener of [...this.#listeners]) listener.close();
    for (const conn of [...this.#conns.values()]) conn.close();
  }

  #track(conn: AppConn): AppConn {
    const id = this.#nextId++;
    const conns = this.#conns;
    const tracked: AppConn = {
      get localAddr() {
        return conn.localAddr;
      },
      get remoteAddr() {
        return conn.remoteAddr;
      },
      read: (p) => conn.read(p),
      write: (p) => conn.write(p),
      closeWrite: conn.closeWrite ? () => conn.closeWrite!() : undefined,
      close() {
        if (conns.get(id) === tracked) conns.delete(id);
        conn.close();
      },
    };
    conns.set(id, tracked);
    return tracked;
  }
}
