import type { FC } from "hono/jsx";
import { LOG_LEVELS, type LogEntry, type LogLevel } from "../../mod/log/mod.ts";
import { Card } from "./components.tsx";

/** The levels the filter offers (fatal lines always show at `error`). */
export const FILTER_LEVELS: LogLevel[] = LOG_LEVELS.filter((l) => l !== "fatal");

/** The log tail with its level filter. */
export const LogsPage: FC<{ entries: LogEntry[]; level: LogLevel; kept: number; base?: string }> = (
  p,
) => (
  <Card title="Log">
    <form class="toolbar" method="get" action={`${p.base ?? ""}/logs`}>
      <label for="level">Level</label>
      <select id="level" name="level">
        {FILTER_LEVELS.map((l) => (
          <option value={l} selected={l === p.level}>
            {l === "trace" ? "all" : `${l} and up`}
          </option>
        ))}
      </select>
      <button type="submit">Apply</button>
      <span class="muted">
        {p.entries.length} shown of the {p.kept} lines kept; new lines appear as they are logged.
      </span>
    </form>
    <ol
      id="log-lines"
      class="log"
      data-min-level={p.level}
      data-after={String(p.entries.at(-1)?.seq ?? 0)}
      aria-live="polite"
      tabindex={0}
      aria-label="Log lines"
    >
      {p.entries.length === 0
        ? <li class="empty-line">No lines at this level yet.</li>
        : p.entries.map((e) => <li class={e.level}>{e.line}</li>)}
    </ol>
  </Card>
);
