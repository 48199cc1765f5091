import { type Context, Hono } from "hono";
import { openStore, type Store } from "../../../mod/store/mod.ts";
import {
  authPubKey,
  httpAuth,
  type HttpAuthOptions,
  type HttpAuthVariables,
  KvNonceStore,
  nonceHandler,
} from "../../../mod/httpauth/mod.ts";
import { tempDir } from "../../_util/temp_dir.ts";

/** A Hono app behind httpAuth on 127.0.0.1:0 with its nonces in a real KV file. */
export interface AuthServer extends AsyncDisposable {
  url: string;
  nonces: KvNonceStore;
  /** Requests that reached a handler, with the key that signed them. */
  served: Array<{ path: string; pk: string; body: string }>;
  /** Errors that escaped to the app's error handler (a 500). */
  errors: unknown[];
  /** Stop serving and close the store (the KV file stays until dispose). */
  stop(): Promise<void>;
  /** Start again on the same KV file (a new port). */
  restart(): Promise<void>;
}

/** Options for {@linkcode startAuthServer}. */
export type AuthServerOptions = Omit<HttpAuthOptions, "nonces">;

/**
 * Routes: `GET /ok` → 200, `POST /echo` → 200 with the body, `GET /missing` → 404,
 * `POST /created` → 201, all behind httpAuth; `GET /security/nonces/:pk` outside it.
 */
export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const dir = await tempDir("skywire-httpauth-");
  const path = `${dir.path}/auth.kv`;
  const served: AuthServer["served"] = [];
  const errors: unknown[] = [];
  let store: Store;
  let server: Deno.HttpServer<Deno.NetAddr>;
  let nonces: KvNonceStore;
  const start = async () => {
    store = await openStore({ path });
    const s = store;
    nonces = new KvNonceStore(() => s.kv);
    const app = new Hono<{ Variables: HttpAuthVariables }>();
    app.onError((error) => {
      errors.push(error);
      return new Response(null, { status: 500 });
    });
    app.get("/security/nonces/:pk", nonceHandler(nonces));
    const auth = httpAuth({ ...options, nonces });
    const note = (c: Context) =>
      served.push({
        path: c.req.path,
        pk: authPubKey(c).hex(),
        body: new TextDecoder().decode(c.get("body")),
      });
    app.get("/ok", auth, (c) => {
      note(c);
      return c.text("ok");
    });
    app.post("/echo", auth, (c) => {
      note(c);
      return new Response(c.get("body") as BodyInit);
    });
    app.get("/missing", auth, (c) => {
      note(c);
      return c.text("no", 404);
    });
    app.post("/created", auth, (c) => {
      note(c);
      return c.text("made", 201);
    });
    const { promise, resolve } = Promise.withResolvers<void>();
    server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => resolve() }, app.fetch);
    await promise;
  };
  await start();
  const handle: AuthServer = {
    get url() {
      return `http://127.0.0.1:${server.addr.port}`;
    },
    get nonces() {
      return nonces;
    },
    served,
    errors,
    async stop() {
      await server.shutdown();
      store.close();
    },
    async restart() {
      await start();
    },
    async [Symbol.asyncDispose]() {
      await server.shutdown().catch(() => {});
      store.close();
      await dir[Symbol.asyncDispose]();
    },
  };
  return handle;
}

/** A fetch that always reads the body. */
export async function call(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, init);
  return { status: res.status, text: await res.text(), headers: res.headers };
}
