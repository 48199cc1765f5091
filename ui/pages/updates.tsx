import type { FC } from "hono/jsx";
import type { UpdaterStatusRecord, UpdatesApi } from "../../services/visor/api.ts";
import { Badge, Card, KeyValues, PostButton } from "./components.tsx";
import { formatTime } from "./format.ts";
import { updateSummary } from "./overview.tsx";

/** The updates page: settings, state (check, pending install, boot mark), actions, history. */
export const UpdatesPage: FC<{
  version: string;
  updates: UpdatesApi;
  status: UpdaterStatusRecord | undefined;
  csrf: string;
}> = (p) => {
  const { settings } = p.updates;
  const check = p.status?.last_check;
  const summary = updateSummary(p.status);
  const installable = check?.result === "available" && !p.updates.installUnavailable;
  return (
    <div class="stack">
      <div class="grid">
        <Card title="Settings">
          <KeyValues
            rows={[
              ["Installed version", p.version],
              ["Channel", settings.channel],
              ["Source", settings.url ? <code>{settings.url}</code> : "none configured"],
              ["Background check", settings.enabled ? `every ${settings.interval}` : "off"],
              ["Install on its own", settings.auto_install ? "yes" : "no (report only)"],
            ]}
          />
        </Card>
        <Card title="State">
          <KeyValues
            rows={[
              ["Status", <Badge tone={summary.tone}>{summary.text}</Badge>],
              ["Last check", formatTime(check?.time)],
              ...(check?.message ? [["Message", check.message] as [string, string]] : []),
              [
                "Pending install",
                p.status?.pending
                  ? `${p.status.pending.from_version} → ${p.status.pending.to_version} since ${
                    formatTime(p.status.pending.installed_at)
                  } (${p.status.pending.starts} start(s) without a boot mark)`
                  : "none",
              ],
              [
                "Booted OK",
                p.status?.booted_ok
                  ? `${p.status.booted_ok.version} at ${formatTime(p.status.booted_ok.time)}`
                  : "—",
              ],
              [
                "Rolled back",
                p.status?.rolled_back_versions.length
                  ? p.status.rolled_back_versions.join(", ")
                  : "none",
              ],
            ]}
          />
          <div class="actions">
            <PostButton
              action="/updates/check"
              csrf={p.csrf}
              label="Check now"
              primary
              disabled={p.updates.checkUnavailable !== undefined}
              title={p.updates.checkUnavailable}
            />
            <PostButton
              action="/updates/install"
              csrf={p.csrf}
              label="Install update"
              disabled={!installable}
              title={p.updates.installUnavailable ??
                (installable ? undefined : "no newer release is known")}
            />
          </div>
          {p.updates.checkUnavailable
            ? <p class="muted">Checks are off here: {p.updates.checkUnavailable}.</p>
            : null}
        </Card>
      </div>
      <Card title="History">
        {p.status?.history.length
          ? (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Event</th>
                    <th scope="col">From</th>
                    <th scope="col">To</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {p.status.history.map((h) => (
                    <tr>
                      <td>{formatTime(h.time)}</td>
                      <td>{h.event}</td>
                      <td>{h.from_version ?? "—"}</td>
                      <td>{h.to_version ?? "—"}</td>
                      <td>{h.reason ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
          : <p class="muted">Nothing installed or rolled back yet.</p>}
      </Card>
    </div>
  );
};
