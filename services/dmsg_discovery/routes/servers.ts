/**
 * Routes of server listings: servers to pick from, and which clients delegate to which server.
 *
 * @module
 */
import { Hono } from "hono";
import { DISC_MESSAGES, joinJsonArray } from "../../../mod/dmsg/disc/mod.ts";
import { jsonResponse, messageResponse } from "../../../mod/http/mod.ts";
import { type EntryService, parsePubKeyText } from "../service.ts";
import { rawObject, stringArray } from "../_json.ts";

/** Routes under `/dmsg-discovery`: `available_servers`, `all_servers`, `server(s)/…/clients`. */
export function serverRoutes(service: EntryService): Hono {
  const app = new Hono();

  app.get("/available_servers", async () => {
    const servers = await service.availableServers();
    if (servers.length === 0) return messageResponse(404, DISC_MESSAGES.noAvailableServers);
    return jsonResponse(200, joinJsonArray(servers));
  });

  app.get("/all_servers", async () => {
    const servers = await service.allServers();
    if (servers.length === 0) return messageResponse(404, DISC_MESSAGES.noAvailableServers);
    return jsonResponse(200, joinJsonArray(servers));
  });

  app.get("/servers/clients", async () => {
    const grouped = await service.clientsByServer();
    const members = [...grouped].map(([server, clients]) =>
      [server, stringArray(clients)] as [string, Uint8Array]
    );
    return jsonResponse(200, rawObject(members));
  });

  app.get("/server/:pk/clients", async (c) => {
    const server = parsePubKeyText(c.req.param("pk"));
    if (!server) return messageResponse(400, DISC_MESSAGES.badInput);
    const clients = await service.clientsOf(server);
    // Go answers `null` (a nil slice) when no client delegates to the server.
    return jsonResponse(200, stringArray(clients.length ? clients : null));
  });

  return app;
}
