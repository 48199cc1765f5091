import { createLogger, type Logger, type LogLevel } from "../../mod/log/mod.ts";

/** A logger that keeps its lines in memory, for asserting what was logged. */
export function captureLogger(level: LogLevel = "debug"): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level, sink: (line) => lines.push(line) });
  return Object.assign(logger, { lines });
}
