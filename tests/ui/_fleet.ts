/**
 * A fleet of real visors for the UI's tests: the node of `startTestNode` and, as a remote
 * member, its exit visor through a real `VisorApi` (the same API the dmsg link's adapter
 * offers). The fleet's membership is changed by the test (join, leave), and a member's
 * `refresh` can be made to fail or hang, as a visor that drops off does.
 */
import { createLogger } from "../../mod/log/mod.ts";
import type { VisorApi } from "../../services/visor/api.ts";
import type { Fleet, FleetVisor } from "../../services/visor/fleet_types.ts";
import { createVisorApi } from "../../services/visor/mod.ts";
import { setPassword, type UiApp } from "../../ui/mod.ts";
import { createUiApp } from "../../ui/app.ts";
import { CookieClient, PASSWORD, TEST_SCRYPT, type TestNode } from "./_node.ts";

/** How a test member answers `refresh`. */
export type RefreshMode = "ok" | "fail" | "hang";

/** A remote member over a real API. */
export class TestMember implements FleetVisor {
  readonly pk: string;
  readonly local = false;
  readonly connectedAt = new Date();
  readonly implementation: FleetVisor["implementation"];
  readonly api: VisorApi;
  mode: RefreshMode = "ok";
  refreshes = 0;
  readonly #hanging = new Set<() => void>();

  /** A member showing `api`. */
  constructor(api: VisorApi, implementation: FleetVisor["implementation"] = "skywire-deno") {
    this.api = api;
    this.pk = api.info().pk;
    this.implementation = implementation;
  }

  /** As the dmsg link's adapter: fetch the state, or throw when the visor is gone. */
  refresh(): Promise<void> {
    this.refreshes++;
    if (this.mode === "fail") return Promise.reject(new Error("the visor hung up"));
    if (this.mode === "hang") {
      // Released by `release` (the test's end), so no promise outlives the test.
      return new Promise((resolve) => this.#hanging.add(resolve));
    }
    return Promise.resolve();
  }

  /** Let hanging refreshes end. */
  release(): void {
    for (const resolve of this.#hanging) resolve();
    this.#hanging.clear();
  }
}

/** A fleet whose members the test sets. */
export class TestFleet implements Fleet {
  readonly #members: FleetVisor[];
  readonly #listeners = new Set<() => void>();

  /** This node first, then `members`. */
  constructor(self: FleetVisor, ...members: FleetVisor[]) {
    this.#members = [self, ...members];
  }

  list(): FleetVisor[] {
    return [...this.#members];
  }

  get(pk: string): FleetVisor | undefined {
    return this.#members.find((m) => m.pk === pk.toLowerCase());
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A visor connects. */
  join(member: FleetVisor): void {
    this.#members.push(member);
    for (const listener of this.#listeners) listener();
  }

  /** A visor disconnects. */
  leave(pk: string): void {
    const at = this.#members.findIndex((m) => m.pk === pk);
    if (at > 0) this.#members.splice(at, 1);
    for (const listener of this.#listeners) listener();
  }
}

/** The exit visor of `up` through a real `VisorApi` (no log ring: a remote one keeps none here). */
export function exitVisorApi(node: TestNode): VisorApi {
  return createVisorApi({ visor: node.network.exitVisor, config: node.network.visorConfig });
}

/** A UI over `fleet` served on 127.0.0.1, signed in; dispose it to stop it. */
export interface FleetUi extends AsyncDisposable {
  /** The app. */
  ui: UiApp;
  /** A signed-in client. */
  client: CookieClient;
  /** The session's CSRF token. */
  csrf: string;
}

/** Serve a UI for `node`'s visor with `fleet`, and sign in. */
export async function serveFleetUi(node: TestNode, fleet: Fleet): Promise<FleetUi> {
  const ui = createUiApp({
    api: (await node.network.ui.app()).api,
    fleet,
    kv: () => node.network.visor.store.kv,
    logger: createLogger({ level: "fatal" }),
    scrypt: TEST_SCRYPT,
    fleetTimeoutMs: 300,
    live: { intervalMs: 100 },
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, ui.app.fetch);
  const client = new CookieClient(`http://127.0.0.1:${server.addr.port}`);
  try {
    await setPassword(node.network.visor.store.kv, PASSWORD, { scrypt: TEST_SCRYPT });
    await client.login();
    const csrf = (await (await client.fetch("/api/csrf")).json()).csrf_token;
    return {
      ui,
      client,
      csrf,
      async [Symbol.asyncDispose]() {
        ui.close();
        await server.shutdown();
      },
    };
  } catch (error) {
    ui.close();
    await server.shutdown();
    throw error;
  }
}
