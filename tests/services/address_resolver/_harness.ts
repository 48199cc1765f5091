import { generateKeyPair, type KeyPair } from "../../../mod/cipher/mod.ts";
import { HttpAuthClient } from "../../../mod/httpauth/mod.ts";
import {
  type AddressResolverService,
  startAddressResolver,
  type StartAddressResolverOptions,
} from "../../../services/address_resolver/mod.ts";
import { startKvService, type TestKvService } from "../../_util/kv_service.ts";

export type { TestClock } from "../../_util/kv_service.ts";

/** An address resolver on 127.0.0.1:0 with its KV file in a temp dir. */
export interface TestResolver extends TestKvService<AddressResolverService> {
  /** A visor: a key pair and an httpauth client for it. */
  visor(): KeyPair & { client: HttpAuthClient };
}

/** Start a test resolver (test mode, no rate limits, injected clock unless given). */
export async function startTestResolver(
  options: Partial<StartAddressResolverOptions> = {},
): Promise<TestResolver> {
  const base = await startKvService("skywire-ar-", "ar.kv", (context) =>
    startAddressResolver({
      ...context,
      testMode: true,
      ipRateLimit: false,
      keyRateLimit: false,
      ...options,
    }));
  return Object.assign(base, {
    visor(this: TestResolver) {
      const keys = generateKeyPair();
      return { ...keys, client: new HttpAuthClient({ baseUrl: this.url, ...keys }) };
    },
  });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A bind body as Go's visor sends it (json.Encoder: a trailing newline). */
export function bindBody(port: string, addresses: string[] | null): Uint8Array {
  return encoder.encode(JSON.stringify({ port, addresses }) + "\n");
}

/** A request's status and body text. */
export async function send(
  client: HttpAuthClient,
  method: string,
  path: string,
  body?: Uint8Array,
): Promise<{ status: number; text: string }> {
  const res = await client.request(method, path, body);
  return { status: res.status, text: decoder.decode(res.body) };
}
