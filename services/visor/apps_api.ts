import { type AppManager, AppManagerError, type AppState } from "../apps/mod.ts";
import {
  type AppLogLine,
  type AppsControlApi,
  type AppStateSummary,
  VisorApiError,
} from "./api_types.ts";

/** Most log lines one request may ask for. */
const MAX_LOG_LINES = 5_000;

/** An app's state in the control API's names. */
export function appStateSummary(state: AppState): AppStateSummary {
  return {
    name: state.name,
    port: state.port,
    auto_start: state.autoStart,
    status: state.status,
    detailed_status: state.detail,
    started_at: state.startedAt,
    proxy_address: state.proxyAddress,
    info: state.info,
  };
}

// The manager's errors carry the status the endpoint answers with.
async function mapped<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppManagerError) {
      throw new VisorApiError(error.status, error.message, { cause: error });
    }
    throw error;
  }
}

/** The control API's apps over the visor's {@linkcode AppManager}. */
export function appsApi(manager: AppManager): AppsControlApi {
  return {
    list: () => mapped(() => manager.list().map(appStateSummary)),
    get: (name) => mapped(() => appStateSummary(manager.status(name))),
    start: (name, args) => mapped(async () => appStateSummary(await manager.start(name, { args }))),
    stop: (name) => mapped(async () => appStateSummary(await manager.stop(name))),
    log: (name, limit = 100) =>
      mapped(() => {
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LOG_LINES) {
          throw new VisorApiError(400, `limit: want 1..${MAX_LOG_LINES}`);
        }
        return manager.log(name, { limit }).map((e): AppLogLine => ({
          seq: e.seq,
          level: e.level,
          line: e.line,
        }));
      }),
  };
}
