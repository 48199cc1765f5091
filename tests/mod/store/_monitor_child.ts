// Child process for the access tests: opens a store, writes a record, loses read access to the
// file (chmod 000 by its owner), runs one health probe and prints what the monitor did as JSON.
import { createLogger } from "../../../mod/log/mod.ts";
import { openStore, startStoreMonitor } from "../../../mod/store/mod.ts";

const [path] = Deno.args;
const lines: string[] = [];
const logger = createLogger({ sink: (l) => lines.push(l) });
const store = await openStore({ path, logger });
await store.kv.set(["kept"], "yes");
let recovered = false;
const monitor = startStoreMonitor({
  store,
  intervalMs: 3_600_000,
  logger,
  onRecovered: () => recovered = true,
});
Deno.chmodSync(path, 0o000);
const result = await monitor.checkNow();
Deno.chmodSync(path, 0o600);
monitor.stop();
const kept = (await store.kv.get(["kept"])).value;
store.close();
console.log(JSON.stringify({ status: result.status, recovered, kept, logs: lines }));
