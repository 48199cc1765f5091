import { generateKeyPair, type KeyPair } from "../../../mod/cipher/mod.ts";
import { HttpAuthClient } from "../../../mod/httpauth/mod.ts";
import {
  type AddressResolverService,
  startAddressResolver,
  type StartAddressResolverOptions,
} from "../../../services/address_resolver/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { tempDir } from "../../_util/temp_dir.ts";

/** A settable millisecond clock. */
export interface TestClock {
  ms: number;
}

/** An address resolver on 127.0.0.1:0 with its KV file in a temp dir. */
export interface TestResolver extends AsyncDisposable {
  service: AddressResolverService;
  url: string;
  clock: TestClock;
  storePath: string;
  logs: string[];
  /** A visor: a key pair and an httpauth client for it. */
  visor(): KeyPair & { client: HttpAuthClient };
  /** Stop the service and start a new one on the same KV file. */
  restart(): Promise<void>;
}

/** Start a test resolver (test mode, no rate limits, injected clock unless given). */
export async function startTestResolver(
  options: Partial<StartAddressResolverOptions> = {},
): Promise<TestResolver> {
  const dir = await tempDir("skywire-ar-");
  const clock: TestClock = { ms: Date.now() };
  const logger = captureLogger();
  const storePath = `${dir.path}/ar.kv`;
  const start = () =>
    startAddressResolver({
      storePath,
      testMode: true,
      ipRateLimit: false,
      keyRateLimit: false,
      logger,
      now: () => clock.ms,
      ...options,
    });
  const handle: TestResolver = {
    service: await start(),
    clock,
    storePath,
    logs: logger.lines,
    get url() {
      return this.service.url;
    },
    visor() {
      const keys = generateKeyPair();
      return { ...keys, client: new HttpAuthClient({ baseUrl: this.url, ...keys }) };
    },
    async restart() {
      await this.service.close();
      this.service = await start();
    },
    async [Symbol.asyncDispose]() {
      await this.service.close();
      await dir[Symbol.asyncDispose]();
    },
  };
  return handle;
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
