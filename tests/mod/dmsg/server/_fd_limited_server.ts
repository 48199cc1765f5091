/**
 * A dmsg server in a process of its own, for tests that run it under a file descriptor limit
 * (`prlimit --nofile=N`). Args: the discovery URL. Prints one JSON line `{pk, address}` once
 * serving, logs to stderr, and stops on SIGTERM.
 *
 * @module
 */
import { generateKeyPair } from "../../../../mod/cipher/mod.ts";
import { startDmsgServer } from "../../../../mod/dmsg/mod.ts";
import { createLogger } from "../../../../mod/log/mod.ts";

const keys = generateKeyPair();
const server = await startDmsgServer({
  pk: keys.pk,
  sk: keys.sk,
  addr: "127.0.0.1:0",
  discovery: Deno.args[0],
  updateDebounceMs: 50,
  logger: createLogger({ level: "info", component: "dmsg_server" }),
});
console.log(JSON.stringify({ pk: server.pk.hex(), address: server.address }));
const stop = Promise.withResolvers<void>();
Deno.addSignalListener("SIGTERM", () => stop.resolve());
await stop.promise;
await server.close();
