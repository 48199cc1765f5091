/// <reference lib="deno.worker" />
// A dmsg client in its own thread for the churn test: it dials `count` streams (some to a port
// nobody listens on, some aborted mid-dial), then reports its counters once they are idle.
import { generateKeyPair, PubKey } from "../../../../mod/cipher/mod.ts";
import { readFull, writeAll } from "../../../../mod/conn/mod.ts";
import { DmsgClient, DmsgError } from "../../../../mod/dmsg/mod.ts";
import { Prng } from "../_fuzz.ts";

/** What the test asks the worker to do. */
export interface ChurnJob {
  discovery: string;
  target: string;
  port: number;
  deadPort: number;
  count: number;
  concurrency: number;
  seed: number;
}

/** What the worker reports. */
export interface ChurnReport {
  ok: number;
  refused: number;
  aborted: number;
  unexpected: string[];
  stats: Record<string, number>;
  closedStats: Record<string, number>;
}

self.onmessage = async (event: MessageEvent<ChurnJob>) => {
  const job = event.data;
  const keys = generateKeyPair();
  const client = new DmsgClient({ pk: keys.pk, sk: keys.sk, discovery: job.discovery });
  const target = PubKey.fromHex(job.target);
  const rng = new Prng(job.seed);
  const report: ChurnReport = {
    ok: 0,
    refused: 0,
    aborted: 0,
    unexpected: [],
    stats: {},
    closedStats: {},
  };
  await client.start();
  await client.ready();
  let next = 0;
  const one = new Uint8Array(1);
  const loop = async () => {
    while (next < job.count) {
      next++;
      const kind = rng.int(20);
      try {
        if (kind === 0) {
          await client.dialStream({ pk: target, port: job.deadPort });
          report.unexpected.push("dial to a dead port succeeded");
        } else if (kind === 1) {
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(new Error("abort")), rng.int(3));
          try {
            const stream = await client.dialStream(
              { pk: target, port: job.port },
              { signal: controller.signal },
            );
            stream.close();
            report.ok++;
          } finally {
            clearTimeout(timer);
          }
        } else {
          const stream = await client.dialStream({ pk: target, port: job.port });
          await writeAll(stream, one);
          await readFull(stream, one);
          if (kind === 2) await stream.closeWrite();
          stream.close();
          report.ok++;
        }
      } catch (error) {
        if (error instanceof DmsgError && error.code === 202) report.refused++;
        else if (error instanceof Error && error.message === "abort") report.aborted++;
        else report.unexpected.push(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, loop));
  // Idle: every stream's port and yamux stream is released once both ends have closed.
  const end = performance.now() + 20_000;
  for (;;) {
    const s = client.stats();
    if ((s.ports === 0 && s.streams === 0 && s.yamuxStreams === 0) || performance.now() > end) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  report.stats = client.stats();
  await client.close();
  report.closedStats = client.stats();
  self.postMessage(report);
};
