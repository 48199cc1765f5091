/**
 * What the transport discovery does, without HTTP: register (with the KV retry loop), read by
 * id, by edge and in bulk, delete, and note heartbeats. Routes turn requests into calls here
 * and results into Go's answers; a refusal carries Go's status and error text.
 *
 * @module
 */
import type { PubKey } from "../../mod/cipher/mod.ts";
import { goParsePubKey } from "../../mod/httpauth/mod.ts";
import type { Logger } from "../../mod/log/mod.ts";
import {
  decodeSignedEntryList,
  encodeEntry,
  MalformedFrameError,
  parseTransportId,
  type SignedTransportEntry,
  TransportEntryError,
} from "../../mod/transport/mod.ts";
import { admitTransport } from "./admit.ts";
import type { StoredTransport, TransportStore, VisorRecord } from "./store.ts";

/** Go's error texts (`pkg/transport-discovery/api`, `store`). */
export const TPD_ERRORS = {
  notFound: "transport not found",
  invalidId: "transport ID is invalid",
  invalidPubKey: "public key is invalid",
  badInput: "error bad input",
} as const;

/** Most entries one registration may carry (a hub visor re-registers all its transports). */
export const MAX_REGISTER_ENTRIES = 1_024;
/** Most ids or keys one batch request may name. */
export const MAX_BATCH_ITEMS = 1_024;
// A write that keeps losing the atomic check is given up after this many rounds.
const MAX_WRITE_ROUNDS = 8;

/** Options for {@linkcode TransportService}. */
export interface TransportServiceOptions {
  /** Where entries live. */
  store: TransportStore;
  /** Entry lifetime without a re-registration, ms (0 = until deleted). */
  entryTtlMs: number;
  /** How long a visor's last heartbeat is kept, ms. */
  visorKeepMs: number;
  /** Millisecond clock. */
  now: () => number;
  /** Where lost write races are noted. */
  logger: Logger;
}

/** A request the discovery turns down: Go's status and error text. */
export interface Refusal {
  /** Always `false`. */
  ok: false;
  /** The HTTP status. */
  status: number;
  /** The error text (Go's `{"error":…}`). */
  error: string;
}

/** A result with a JSON body. */
export type JsonResult = { ok: true; json: string } | Refusal;

function refuse(status: number, error: string): Refusal {
  return { ok: false, status, error };
}

function jsonList(transports: StoredTransport[]): string {
  return `[${transports.map((t) => t.json).join(",")}]`;
}

/** Decode a JSON array of strings (ids or keys); `undefined` when it is not one. */
function stringList(body: Uint8Array): string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
  if (value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) return undefined;
  return value;
}

/** Register, read and delete transports; note heartbeats. */
export class TransportService {
  readonly #store: TransportStore;
  readonly #ttlMs: number;
  readonly #visorKeepMs: number;
  readonly #now: () => number;
  readonly #log: Logger;

  /** Create the service. */
  constructor(options: TransportServiceOptions) {
    this.#store = options.store;
    this.#ttlMs = options.entryTtlMs;
    this.#visorKeepMs = options.visorKeepMs;
    this.#now = options.now;
    this.#log = options.logger;
  }

  /**
   * Register the entries of `body` (Go's `[]SignedEntry` JSON), posted by `signer`. Every
   * entry is checked before any is stored, so a refused request stores nothing. Answers Go's
   * echo: the entries with `registered` set.
   */
  async register(signer: PubKey, body: Uint8Array): Promise<JsonResult> {
    // Go decodes `null` to an empty list and echoes it as `null`.
    if (new TextDecoder().decode(body).trim() === "null") return { ok: true, json: "null" };
    let entries: SignedTransportEntry[];
    try {
      entries = decodeSignedEntryList(body);
    } catch (error) {
      if (error instanceof TransportEntryError || error instanceof MalformedFrameError) {
        return refuse(400, error.message);
      }
      throw error;
    }
    if (entries.length > MAX_REGISTER_ENTRIES) {
      return refuse(400, `more than ${MAX_REGISTER_ENTRIES} entries in one request`);
    }
    for (const signed of entries) {
      const { transport } = await this.#store.get(signed.entry.id);
      const admission = admitTransport(signed, signer, transport !== undefined);
      if (!admission.ok) return refuse(400, admission.error);
    }
    const echoes: string[] = [];
    for (const signed of entries) {
      const stored = await this.#write(signed, signer);
      if (!stored.ok) return stored;
      echoes.push(stored.json);
    }
    await this.#store.recordHeartbeat(signer.hex(), "", this.#visorKeepMs);
    return { ok: true, json: `[${echoes.join(",")}]` };
  }

  // Store one admitted entry, re-checking it against a concurrent change of its key.
  async #write(signed: SignedTransportEntry, signer: PubKey): Promise<JsonResult> {
    const { entry } = signed;
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      const { transport: current, versionstamp } = await this.#store.get(entry.id);
      // The entry may have been deleted (or have expired) since it was admitted.
      const admission = admitTransport(signed, signer, current !== undefined);
      if (!admission.ok) return refuse(400, admission.error);
      const now = this.#now();
      const registered = current?.registered ?? BigInt(now) * 1_000_000n;
      const transport: StoredTransport = {
        id: entry.id,
        edges: [entry.edges[0].hex(), entry.edges[1].hex()],
        json: encodeEntry(entry),
        registered,
        expiresAt: this.#ttlMs > 0 ? now + this.#ttlMs : 0,
      };
      if (await this.#store.put(transport, this.#ttlMs, versionstamp)) {
        const sigs = signed.signatures.map((sig) => `"${sig.hex()}"`).join(",");
        return {
          ok: true,
          json: `{"entry":${transport.json},"signatures":[${sigs}],"registered":${registered}}`,
        };
      }
    }
    this.#log.warn("transport write kept losing to concurrent writes", { id: entry.id });
    return refuse(500, "transport write kept losing to concurrent writes");
  }

  /** The entry with id `idText` (any form Go's `uuid.Parse` takes). */
  async get(idText: string): Promise<JsonResult> {
    let id: string;
    try {
      id = parseTransportId(idText);
    } catch {
      return refuse(400, TPD_ERRORS.invalidId);
    }
    const { transport } = await this.#store.get(id);
    return transport ? { ok: true, json: transport.json } : refuse(404, TPD_ERRORS.notFound);
  }

  /** The entries with edge `pkText`; 404 when there are none, as in Go. */
  async byEdge(pkText: string): Promise<JsonResult> {
    let pk: PubKey;
    try {
      pk = goParsePubKey(pkText);
    } catch {
      return refuse(400, TPD_ERRORS.invalidPubKey);
    }
    const transports = await this.#store.byEdge(pk.hex());
    if (transports.length === 0) return refuse(404, TPD_ERRORS.notFound);
    return { ok: true, json: jsonList(transports) };
  }

  /** The entries with any of the keys listed in `body` (a JSON array), each once. */
  async byEdges(body: Uint8Array): Promise<JsonResult> {
    const keys = stringList(body);
    if (!keys || keys.length > MAX_BATCH_ITEMS) return refuse(400, TPD_ERRORS.invalidPubKey);
    const found = new Map<string, StoredTransport>();
    for (const text of keys) {
      let pk: PubKey;
      try {
        pk = goParsePubKey(text.trim());
      } catch {
        continue;
      }
      for (const transport of await this.#store.byEdge(pk.hex())) {
        found.set(transport.id, transport);
      }
    }
    return { ok: true, json: jsonList([...found.values()]) };
  }

  /** Every entry (without those of a visor to itself when `hideSelf`); 404 when none. */
  async all(hideSelf: boolean): Promise<JsonResult> {
    let transports = await this.#store.all();
    if (hideSelf) transports = transports.filter((t) => t.edges[0] !== t.edges[1]);
    if (transports.length === 0) return refuse(404, TPD_ERRORS.notFound);
    return { ok: true, json: jsonList(transports) };
  }

  /** Delete the entry `idText` for `signer`, who must be one of its edges. */
  async delete(signer: PubKey, idText: string): Promise<{ ok: true } | Refusal> {
    let id: string;
    try {
      id = parseTransportId(idText);
    } catch {
      return refuse(400, TPD_ERRORS.invalidId);
    }
    const outcome = await this.#deleteOne(signer, id);
    if (outcome === "missing") return refuse(404, TPD_ERRORS.notFound);
    if (outcome === "not-edge") return refuse(400, TPD_ERRORS.invalidId);
    return { ok: true };
  }

  /**
   * Delete the entries listed in `body` (a JSON array of ids) of which `signer` is an edge;
   * the others are skipped. Answers Go's `{"deleted":n,"skipped":m}`.
   */
  async deleteBatch(signer: PubKey, body: Uint8Array): Promise<JsonResult> {
    const ids = stringList(body);
    if (!ids || ids.length > MAX_BATCH_ITEMS) return refuse(400, TPD_ERRORS.badInput);
    let deleted = 0, skipped = 0;
    for (const text of ids) {
      let id: string;
      try {
        id = parseTransportId(text);
      } catch {
        skipped++;
        continue;
      }
      if (await this.#deleteOne(signer, id) === "deleted") deleted++;
      else skipped++;
    }
    return { ok: true, json: `{"deleted":${deleted},"skipped":${skipped}}` };
  }

  async #deleteOne(signer: PubKey, id: string): Promise<"deleted" | "missing" | "not-edge"> {
    const hex = signer.hex();
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      const { transport, versionstamp } = await this.#store.get(id);
      if (!transport) return "missing";
      if (!transport.edges.includes(hex)) return "not-edge";
      if (await this.#store.delete(transport, versionstamp)) return "deleted";
    }
    this.#log.warn("transport delete kept losing to concurrent writes", { id });
    return "missing";
  }

  /** Note `signer`'s heartbeat (Go's `GET /v4/update`). */
  async heartbeat(signer: PubKey, version: string): Promise<void> {
    await this.#store.recordHeartbeat(signer.hex(), version.slice(0, 64), this.#visorKeepMs);
  }

  /** The visors heard from lately, with whether they are online (heard within `onlineMs`). */
  async visors(onlineMs: number): Promise<Array<VisorRecord & { online: boolean }>> {
    const now = this.#now();
    const visors = await this.#store.visors(this.#visorKeepMs);
    return visors.map((v) => ({ ...v, online: now - v.lastSeen <= onlineMs }));
  }
}
