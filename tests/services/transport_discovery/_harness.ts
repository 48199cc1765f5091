import { generateKeyPair, type KeyPair } from "../../../mod/cipher/mod.ts";
import { HttpAuthClient } from "../../../mod/httpauth/mod.ts";
import {
  encodeSignedEntry,
  makeEntry,
  newSignedEntry,
  type SignedTransportEntry,
  signEntry,
  TransportDiscoveryClient,
} from "../../../mod/transport/mod.ts";
import {
  startTransportDiscovery,
  type StartTransportDiscoveryOptions,
  type TransportDiscoveryService,
} from "../../../services/transport_discovery/mod.ts";
import { startKvService, type TestKvService } from "../../_util/kv_service.ts";

export type { TestClock } from "../../_util/kv_service.ts";

/** A visor of the tests: keys, a raw httpauth client and the TPD client. */
export interface TestVisor extends KeyPair {
  http: HttpAuthClient;
  tpd: TransportDiscoveryClient;
}

/** A transport discovery on 127.0.0.1:0 with its KV file in a temp dir. */
export interface TestTpd extends TestKvService<TransportDiscoveryService> {
  /** A new visor with clients for this discovery. */
  visor(keys?: KeyPair): TestVisor;
}

/** Start a test discovery (no rate limits, injected clock unless given). */
export async function startTestTpd(
  options: Partial<StartTransportDiscoveryOptions> = {},
): Promise<TestTpd> {
  const base = await startKvService(
    "skywire-tpd-",
    "tpd.kv",
    (context) =>
      startTransportDiscovery({ ...context, ipRateLimit: false, keyRateLimit: false, ...options }),
  );
  return Object.assign(base, {
    visor(this: TestTpd, keys = generateKeyPair()): TestVisor {
      return {
        ...keys,
        http: new HttpAuthClient({ baseUrl: this.url, ...keys }),
        tpd: new TransportDiscoveryClient({ url: this.url, keys }),
      };
    },
  });
}

/** The settled entry of a transport between `a` and `b`, signed by both (as the settlement ends). */
export function settledEntry(a: KeyPair, b: KeyPair, type = "dmsg"): SignedTransportEntry {
  return signEntry(newSignedEntry(makeEntry(a.pk, b.pk, type), a), b);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A registration body as Go's visor sends it (json.Encoder of `[]*SignedEntry`). */
export function registerBody(entries: SignedTransportEntry[]): Uint8Array {
  return encoder.encode(`[${entries.map(encodeSignedEntry).join(",")}]\n`);
}

/** A signed request's status and body text. */
export async function send(
  visor: TestVisor,
  method: string,
  path: string,
  body?: Uint8Array | string,
): Promise<{ status: number; text: string; type: string | null }> {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const res = await visor.http.request(method, path, bytes);
  return {
    status: res.status,
    text: decoder.decode(res.body),
    type: res.headers.get("content-type"),
  };
}

/** Every raw key of the discovery's KV file (open it only while the service is stopped). */
export async function rawKeys(storePath: string): Promise<Deno.KvEntry<unknown>[]> {
  const kv = await Deno.openKv(storePath);
  try {
    return await Array.fromAsync(kv.list({ prefix: ["transport_discovery"] }));
  } finally {
    kv.close();
  }
}
