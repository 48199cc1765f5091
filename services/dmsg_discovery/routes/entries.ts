/**
 * Routes of single entries and client listings: read, register, delete, batch read, and the
 * lists of client keys.
 *
 * @module
 */
import { Hono } from "hono";
import {
  decodeStringList,
  DISC_MESSAGES,
  DISC_OK_MESSAGES,
  EntryDecodeError,
} from "../../../mod/dmsg/disc/mod.ts";
import {
  bodyLimit,
  type BodyVariables,
  jsonResponse,
  messageBytes,
  messageResponse,
} from "../../../mod/http/mod.ts";
import type { Logger } from "../../../mod/log/mod.ts";
import type { EntryService } from "../service.ts";
import { rawObject } from "../_json.ts";

// Most keys one batch request may name (the Go service also caps batches; its number is not
// in the source we have).
const MAX_BATCH_KEYS = 512;
// The answers of a lookup that finds nothing, made once (a miss is a common request).
const BAD_INPUT = messageBytes(400, DISC_MESSAGES.badInput);
const NOT_FOUND = messageBytes(404, DISC_MESSAGES.keyNotFound);

/** The status and JSON body `GET /entry/{pk}` answers for what the lookup found. */
export function lookupAnswer(
  found: Uint8Array | "absent" | "invalid",
): { status: number; bytes: Uint8Array } {
  if (found === "invalid") return { status: 400, bytes: BAD_INPUT };
  if (found === "absent") return { status: 404, bytes: NOT_FOUND };
  return { status: 200, bytes: found };
}

/** What {@linkcode entryRoutes} needs. */
export interface EntryRoutesOptions {
  /** The operations behind the routes. */
  service: EntryService;
  /** Largest request body in bytes; larger ones get 413. */
  maxBodyBytes: number;
  /** Where bodies cut off by a departing client are noted. */
  logger?: Logger;
}

/** Routes under `/dmsg-discovery`: `entry`, `entries`, `visorEntries`, `entries/batch`. */
export function entryRoutes(options: EntryRoutesOptions): Hono<{ Variables: BodyVariables }> {
  const { service } = options;
  const body = bodyLimit({ maxBytes: options.maxBodyBytes, logger: options.logger });
  const app = new Hono<{ Variables: BodyVariables }>();

  app.get("/entry/:pk", async (c) => {
    const { status, bytes } = lookupAnswer(await service.lookup(c.req.param("pk")));
    return jsonResponse(status, bytes);
  });

  // Go's clients post to `entry/` and, older ones, to `entry/<pk>`; the key in the path is
  // not read, the entry names its own.
  for (const path of ["/entry/", "/entry/:pk"]) {
    app.post(path, body, async (c) => {
      const result = await service.register(c.get("body"), {
        legacyTimeout: c.req.query("timeout") === "true",
      });
      if (!result.ok) return messageResponse(result.status, result.message);
      const text = result.updated ? DISC_OK_MESSAGES.entryUpdated : DISC_OK_MESSAGES.entrySet;
      return messageResponse(200, text);
    });
  }

  app.delete("/entry", body, async (c) => {
    const result = await service.delete(c.get("body"));
    if (!result.ok) return messageResponse(result.status, result.message);
    return messageResponse(200, DISC_OK_MESSAGES.entryDeleted);
  });

  app.get("/entries", async () => jsonResponse(200, await service.clientKeysJson()));

  app.get(
    "/visorEntries",
    async () => jsonResponse(200, await service.clientKeysJson({ visorsOnly: true })),
  );

  app.post("/entries/batch", body, async (c) => {
    let keys: string[];
    try {
      keys = decodeStringList(c.get("body"));
    } catch (error) {
      if (error instanceof EntryDecodeError) return messageResponse(400, DISC_MESSAGES.badInput);
      throw error;
    }
    if (keys.length > MAX_BATCH_KEYS) return messageResponse(400, DISC_MESSAGES.badInput);
    return jsonResponse(200, rawObject(await service.batch(keys)));
  });

  return app;
}
