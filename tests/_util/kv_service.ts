/**
 * A KV-backed HTTP service under test: on 127.0.0.1:0, its KV file in a temp dir, a settable
 * clock and captured log lines; restartable on the same KV file, removed on dispose.
 */
import type { Logger } from "../../mod/log/mod.ts";
import { captureLogger } from "./capture_logger.ts";
import { tempDir } from "./temp_dir.ts";

/** A settable millisecond clock. */
export interface TestClock {
  ms: number;
}

/** What a started service offers the harness. */
export interface ClosableService {
  readonly url: string;
  close(): Promise<void>;
}

/** What {@linkcode startKvService}'s `start` gets: where the KV file is, the log, the clock. */
export interface KvServiceContext {
  storePath: string;
  logger: Logger;
  now: () => number;
}

/** A running service under test (see the module doc). */
export interface TestKvService<S extends ClosableService> extends AsyncDisposable {
  service: S;
  readonly url: string;
  clock: TestClock;
  storePath: string;
  logs: string[];
  /** Stop the service (the KV file stays). */
  stop(): Promise<void>;
  /** Stop the service and start a new one on the same KV file. */
  restart(): Promise<void>;
}

/**
 * Start a service with `start` on `<temp dir with prefix>/<file>`; `start` runs again on
 * {@linkcode TestKvService.restart}.
 */
export async function startKvService<S extends ClosableService>(
  prefix: string,
  file: string,
  start: (context: KvServiceContext) => Promise<S>,
): Promise<TestKvService<S>> {
  const dir = await tempDir(prefix);
  const clock: TestClock = { ms: Date.now() };
  const logger = captureLogger();
  const context: KvServiceContext = {
    storePath: `${dir.path}/${file}`,
    logger,
    now: () => clock.ms,
  };
  let stopped = false;
  let service: S;
  try {
    service = await start(context);
  } catch (error) {
    await dir[Symbol.asyncDispose]();
    throw error;
  }
  const handle: TestKvService<S> = {
    service,
    clock,
    storePath: context.storePath,
    logs: logger.lines,
    get url() {
      return this.service.url;
    },
    async stop() {
      stopped = true;
      await this.service.close();
    },
    async restart() {
      await this.service.close();
      this.service = await start(context);
      stopped = false;
    },
    async [Symbol.asyncDispose]() {
      if (!stopped) await this.service.close();
      await dir[Symbol.asyncDispose]();
    },
  };
  return handle;
}
