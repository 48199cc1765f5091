// Child process for the fd-limit test: serves with mod/http's serveHttp (held connections are
// not timed out during the test), prints its port, and runs until killed.
import { serveHttp } from "../../../mod/http/mod.ts";
import { createLogger } from "../../../mod/log/mod.ts";

const logger = createLogger({ level: "debug", component: "child" });
const service = await serveHttp({
  addr: "127.0.0.1:0",
  limits: { headerTimeoutMs: 60_000, maxConnections: 10_000, maxConnectionsPerIp: 10_000 },
  logger,
  fetch: () => new Response("alive"),
});
logger.info("listening", { port: service.port });
// Deno 2.9 sets up signal handling of its own about half a second after start and panics if
// no descriptor is left for it then; a real node is long past that when attacked.
await new Promise((resolve) => setTimeout(resolve, 1_500));
console.log(service.port);
