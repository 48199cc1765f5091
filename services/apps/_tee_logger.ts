import type { LogFields, Logger, LogLevel } from "../../mod/log/mod.ts";

/** A logger that writes every line to both `a` and `b` (an app's ring and the visor's log). */
export function teeLogger(a: Logger, b: Logger): Logger {
  const both = (level: Exclude<LogLevel, "fatal">) => (message: string, fields?: LogFields) => {
    a[level](message, fields);
    b[level](message, fields);
  };
  return {
    level: a.level,
    trace: both("trace"),
    debug: both("debug"),
    info: both("info"),
    warn: both("warn"),
    error: both("error"),
    enabled: (level) => a.enabled(level) || b.enabled(level),
    child: (component, fields) => teeLogger(a.child(component, fields), b.child(component, fields)),
  };
}
