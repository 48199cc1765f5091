import { generateKeyPair, type KeyPair } from "../../../mod/cipher/mod.ts";
import {
  type Entry,
  marshalEntry,
  newClientEntry,
  newServerEntry,
  nowNanos,
  signEntry,
} from "../../../mod/dmsg/mod.ts";
import type { Logger } from "../../../mod/log/mod.ts";
import {
  type DiscoveryService,
  type DiscoveryStore,
  type EntryServiceOptions,
  startDiscovery,
  type StartDiscoveryOptions,
} from "../../../services/dmsg_discovery/mod.ts";
import { startKvService, type TestClock, type TestKvService } from "../../_util/kv_service.ts";

export type { TestClock } from "../../_util/kv_service.ts";

/** A discovery on 127.0.0.1:0 with its KV file in a temp dir, closed and removed on dispose. */
export type TestDiscovery = TestKvService<DiscoveryService>;

/** Start a test discovery (test mode, no rate limit, injected clock unless given). */
export async function startTestDiscovery(
  options: Partial<StartDiscoveryOptions> = {},
): Promise<TestDiscovery> {
  return await startKvService(
    "skywire-disc-",
    "discovery.kv",
    (context) => startDiscovery({ ...context, testMode: true, rateLimit: false, ...options }),
  );
}

/**
 * Options of an `EntryService` over `store` without HTTP: test mode, client entries live an
 * hour, strict sequences, no official servers.
 */
export function entryServiceOptions(
  store: DiscoveryStore,
  now: () => number,
  logger: Logger,
): EntryServiceOptions {
  return {
    store,
    testMode: true,
    now,
    logger,
    clientEntryTtlMs: 60 * 60_000,
    strictSequence: true,
    authPassphrase: "",
    officialServers: new Set(),
  };
}

/** A fetch that always reads the body, so no response is left open. */
export async function call(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, init);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** POST an entry's Go-canonical JSON. */
export function post(base: string, entry: Entry, query = ""): ReturnType<typeof call> {
  return call(`${base}/dmsg-discovery/entry/${query}`, {
    method: "POST",
    body: marshalEntry(entry) as BodyInit,
  });
}

/** A signed client entry for `keys` at `clock`. */
export function clientEntry(
  keys: KeyPair,
  clock: TestClock,
  options: { sequence?: bigint; delegated?: KeyPair[] | null; clientType?: string } = {},
): Entry {
  return signEntry(
    newClientEntry({
      pk: keys.pk,
      sequence: options.sequence ?? 0n,
      timestamp: nowNanos(clock.ms),
      delegatedServers: options.delegated === null
        ? null
        : (options.delegated ?? []).map((k) => k.pk),
      clientType: options.clientType,
    }),
    keys.sk,
  );
}

/** A signed server entry for `keys` at `clock`. */
export function serverEntry(
  keys: KeyPair,
  clock: TestClock,
  options: { sequence?: bigint; address?: string; sessions?: number; serverType?: string } = {},
): Entry {
  return signEntry(
    newServerEntry({
      pk: keys.pk,
      sequence: options.sequence ?? 0n,
      timestamp: nowNanos(clock.ms),
      address: options.address ?? "203.0.113.7:8081",
      availableSessions: options.sessions ?? 2048,
      serverType: options.serverType,
    }),
    keys.sk,
  );
}

export { generateKeyPair };

/** Go's `{"message","code"}` body text. */
export function goMessage(code: number, message: string): string {
  return JSON.stringify({ message, code });
}
