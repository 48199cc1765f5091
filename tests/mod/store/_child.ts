// Child process for store tests: opens a store through openStore, proves it works, and prints
// what happened as JSON. Runs in its own process so a crash would show as a non-zero exit.
import { listRecoveries, openStore } from "../../../mod/store/mod.ts";

const [path, waitMs = "0"] = Deno.args;
const lines: string[] = [];
try {
  const store = await openStore({
    path,
    logger: {
      ...(await import("../../../mod/log/mod.ts")).createLogger({ sink: (l) => lines.push(l) }),
    },
  });
  await store.kv.set(["child", "probe"], "written by child");
  // Exercise the store the way the background expiry task would: keys with expiry, a full scan.
  await store.kv.set(["child", "expiring"], 1, { expireIn: 1 });
  let count = 0;
  for await (const _ of store.kv.list({ prefix: [] })) count++;
  await new Promise((r) => setTimeout(r, Number(waitMs)));
  const value = (await store.kv.get(["child", "probe"])).value;
  const recoveries = await listRecoveries(store.kv);
  store.close();
  console.log(
    JSON.stringify({ ok: true, value, count, recoveries, recovery: store.recovery, logs: lines }),
  );
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: String(error), logs: lines }));
  Deno.exit(3);
}
