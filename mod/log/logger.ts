/** Log levels, from most to least verbose (the names Skywire's `log_level` uses). */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

/** One of {@linkcode LOG_LEVELS}. */
export type LogLevel = typeof LOG_LEVELS[number];

/** Extra key/value pairs attached to a log line. */
export type LogFields = Record<string, unknown>;

/** Where finished lines go. */
export type LogSink = (line: string, level: LogLevel) => void;

/** Options for {@linkcode createLogger}. */
export interface LoggerOptions {
  /** Lowest level that is printed. Default `info`. */
  level?: LogLevel;
  /** Name shown in brackets, e.g. `store` or `dmsg_server`. */
  component?: string;
  /** Receives each line; default writes to stderr. */
  sink?: LogSink;
  /** Fields added to every line. */
  fields?: LogFields;
}

/** A logger bound to a component and a set of fields. */
export interface Logger {
  /** The lowest level this logger prints. */
  readonly level: LogLevel;
  /** Log at `trace`. */
  trace(message: string, fields?: LogFields): void;
  /** Log at `debug`. */
  debug(message: string, fields?: LogFields): void;
  /** Log at `info`. */
  info(message: string, fields?: LogFields): void;
  /** Log at `warn`. */
  warn(message: string, fields?: LogFields): void;
  /** Log at `error`. */
  error(message: string, fields?: LogFields): void;
  /** A logger for a sub-component that shares level and sink. */
  child(component: string, fields?: LogFields): Logger;
  /** Whether `level` would be printed (to skip building expensive fields). */
  enabled(level: LogLevel): boolean;
}

// Keys whose values must never reach a log line.
const SECRET_KEY = /(^|_)(sk|secret|secret_key|password|passwd|token|private|seckey)$/i;
const encoder = new TextEncoder();

/** The default sink: each line to stderr (a closed stderr is ignored). */
export function stderrSink(line: string): void {
  try {
    Deno.stderr.writeSync(encoder.encode(line + "\n"));
  } catch {
    // A closed stderr must never take the node down.
  }
}

/** Parse a `log_level` string; `undefined` when it is not a known level. */
export function parseLogLevel(value: string): LogLevel | undefined {
  const lower = value.toLowerCase();
  if (lower === "warning") return "warn";
  return (LOG_LEVELS as readonly string[]).includes(lower) ? lower as LogLevel : undefined;
}

function formatValue(key: string, value: unknown): string {
  if (SECRET_KEY.test(key)) return "[redacted]";
  let text: string;
  if (value instanceof Error) text = value.message;
  else if (typeof value === "string") text = value;
  else if (value instanceof Uint8Array) text = `<${value.length} bytes>`;
  else if (typeof value === "object" && value !== null) {
    try {
      text = JSON.stringify(value);
    } catch {
      text = String(value);
    }
  } else text = String(value);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

/** Create a logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? "info";
  const sink = options.sink ?? stderrSink;
  const base = options.fields ?? {};
  const component = options.component;
  const threshold = LOG_LEVELS.indexOf(level);
  const enabled = (l: LogLevel) => LOG_LEVELS.indexOf(l) >= threshold;

  const emit = (l: LogLevel, message: string, fields?: LogFields) => {
    if (!enabled(l)) return;
    let line = `${new Date().toISOString()} ${l.toUpperCase().padEnd(5)}`;
    if (component) line += ` [${component}]`;
    line += ` ${message.replaceAll("\n", " ")}`;
    for (const [key, value] of Object.entries({ ...base, ...fields })) {
      if (value === undefined) continue;
      line += ` ${key}=${formatValue(key, value)}`;
    }
    sink(line, l);
  };

  return {
    level,
    trace: (m, f) => emit("trace", m, f),
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    enabled,
    child: (name, fields) =>
      createLogger({
        level,
        sink,
        component: component ? `${component}/${name}` : name,
        fields: { ...base, ...fields },
      }),
  };
}
