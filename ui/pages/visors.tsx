import type { FC } from "hono/jsx";
import { Badge, Card } from "./components.tsx";
import { formatSince, formatTime, shortKey } from "./format.ts";

/** One fleet member as the Visors page lists it. */
export interface VisorRow {
  /** Its key. */
  pk: string;
  /** Whether it is this node. */
  local: boolean;
  /** What it runs. */
  implementation: "skywire-deno" | "go" | "unknown";
  /** When it connected (ISO 8601). */
  connected_at: string;
  /** Why its state could not be fetched; `undefined` when it answered. */
  error?: string;
  /** Its version, when it answered. */
  version?: string;
  /** When it started (ISO 8601), when it answered. */
  started_at?: string;
  /** Its dmsg sessions, when it answered. */
  dmsg_sessions?: number;
  /** Its transports; `undefined` when it does not offer them. */
  transports?: number;
}

/** What a fleet member runs, as the pages name it. */
export const IMPLEMENTATION = {
  "skywire-deno": "skywire-deno",
  go: "Go Skywire",
  unknown: "unknown",
} as const;

/** The fleet's table (a live region: it follows joins and leaves). */
export const VisorsTable: FC<{ rows: VisorRow[]; now: number }> = ({ rows, now }) => (
  <div class="table-wrap">
    <table>
      <thead>
        <tr>
          <th scope="col">Visor</th>
          <th scope="col">Runs</th>
          <th scope="col">Version</th>
          <th scope="col">Uptime</th>
          <th scope="col">DMSG sessions</th>
          <th scope="col">Transports</th>
          <th scope="col">Connected since</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr data-pk={row.pk}>
            <td>
              <a href={row.local ? "/" : `/visors/${row.pk}`} title={row.pk}>
                <code>{shortKey(row.pk)}</code>
              </a>{" "}
              {row.local ? <Badge tone="ok">this node</Badge> : null}
              {row.error ? <Badge tone="bad">not answering</Badge> : null}
            </td>
            <td>{IMPLEMENTATION[row.implementation]}</td>
            <td>{row.version ?? "—"}</td>
            <td>
              {row.started_at
                ? (
                  <span data-since={row.started_at}>
                    {formatSince(now - Date.parse(row.started_at))}
                  </span>
                )
                : "—"}
            </td>
            <td class="num">{row.dmsg_sessions ?? "—"}</td>
            <td class="num">{row.transports ?? "—"}</td>
            <td>{row.local ? "—" : formatTime(row.connected_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

/** The Visors page: this node and the visors that use it as their hypervisor. */
export const VisorsPage: FC<{ rows: VisorRow[]; now: number }> = ({ rows, now }) => (
  <Card title="Fleet">
    <div id="live-visors">
      <VisorsTable rows={rows} now={now} />
    </div>
    <p class="muted">
      A visor joins when its config lists this node's key in{" "}
      <code>hypervisors</code>: it connects over dmsg (port 46). Open one to see its pages.
    </p>
  </Card>
);

/** A visor page whose visor is gone (or never was, or stopped answering). */
export const NotConnected: FC<{ pk: string; message: string }> = ({ pk, message }) => (
  <section class="card empty" aria-label="Visor not connected">
    <h2>This visor is not connected</h2>
    <p>
      <code>{pk}</code>
    </p>
    <p>{message}.</p>
    <p>
      It shows here again once it connects. <a href="/visors">All visors</a>
    </p>
  </section>
);
