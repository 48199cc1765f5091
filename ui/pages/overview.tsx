import type { Child, FC } from "hono/jsx";
import type {
  DmsgStatus,
  NodeInfo,
  StoreStatus,
  UpdaterStatusRecord,
  UpdatesApi,
} from "../../services/visor/api.ts";
import { Badge, Card, KeyValues, PostButton } from "./components.tsx";
import { formatLatency, formatSince, formatTime, shortKey } from "./format.ts";

/** The dmsg summary on the overview (a live region). */
export const DmsgSummary: FC<{ dmsg: DmsgStatus }> = ({ dmsg }) => {
  const n = dmsg.sessions.length;
  const tone = n === 0 ? "bad" : n < dmsg.sessions_wanted ? "warn" : "ok";
  // A remote visor reports its sessions but not how many it wants.
  const count = dmsg.sessions_wanted > 0
    ? `${n} of ${dmsg.sessions_wanted} sessions`
    : `${n} session${n === 1 ? "" : "s"}`;
  return (
    <KeyValues
      rows={[
        [
          "Status",
          <Badge tone={tone}>
            {n === 0 ? "not connected" : count}
          </Badge>,
        ],
        ["Discovery", dmsg.discovery ? <code>{dmsg.discovery}</code> : "—"],
        [
          "Servers",
          n === 0 ? <span class="muted">none yet</span> : (
            <span>
              {dmsg.sessions.map((s, i) => (
                <>
                  {i > 0 ? ", " : ""}
                  <code title={s.server_pk}>{shortKey(s.server_pk)}</code>{" "}
                  <span class="muted">({formatLatency(s.latency_ms)})</span>
                </>
              ))}
            </span>
          ),
        ],
      ]}
    />
  );
};

function storeTone(store: StoreStatus): "ok" | "warn" | "bad" | "muted" {
  const status = store.last_check?.status;
  if (status === "ok") return store.recoveries.length ? "warn" : "ok";
  if (status === "corrupt" || status === "foreign") return "bad";
  return "muted";
}

/** Store health on the overview (a live region). */
export const StoresSummary: FC<{ stores: StoreStatus[] }> = ({ stores }) => (
  <div class="stack">
    {stores.map((store) => (
      <div>
        <KeyValues
          rows={[
            [
              "Health",
              <>
                <Badge tone={storeTone(store)}>{store.last_check?.status ?? "not probed"}</Badge>
                {store.recoveries.length
                  ? (
                    <>
                      {" "}
                      <Badge tone="warn">
                        {store.recoveries.length}{" "}
                        recover{store.recoveries.length === 1 ? "y" : "ies"}
                      </Badge>
                    </>
                  )
                  : null}
              </>,
            ],
            ["Store", <code>{store.path}</code>],
            ["Last probe", formatTime(store.last_check?.time)],
            ...(store.last_check?.reason
              ? [["Problem", store.last_check.reason] as [string, string]]
              : []),
          ]}
        />
        {store.recoveries.length
          ? (
            <div class="table-wrap">
              <table>
                <caption class="muted">Recoveries</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Why</th>
                    <th scope="col">Moved to</th>
                  </tr>
                </thead>
                <tbody>
                  {store.recoveries.slice(-5).reverse().map((r) => (
                    <tr>
                      <td>{formatTime(r.time)}</td>
                      <td>{r.reason}</td>
                      <td>
                        <code>{r.movedTo[0] ?? "—"}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
          : <p class="muted">No recoveries: the store has never been damaged.</p>}
      </div>
    ))}
  </div>
);

/** One line on the update state. */
export function updateSummary(status: UpdaterStatusRecord | undefined): {
  tone: "ok" | "warn" | "bad" | "muted";
  text: string;
} {
  if (status?.pending) {
    return { tone: "warn", text: `${status.pending.to_version} installed, waiting for boot` };
  }
  const check = status?.last_check;
  if (!check) return { tone: "muted", text: "never checked" };
  switch (check.result) {
    case "available":
      return { tone: "warn", text: `${check.available_version} available` };
    case "installed":
      return { tone: "ok", text: `${check.available_version} installed` };
    case "up-to-date":
      return { tone: "ok", text: "up to date" };
    case "failed":
      return { tone: "bad", text: "last check failed" };
    default:
      return { tone: "muted", text: check.result };
  }
}

/** What the overview shows. */
export interface OverviewProps {
  info: NodeInfo;
  dmsg: DmsgStatus;
  /** `undefined`: the visor does not report its stores. */
  stores: StoreStatus[] | undefined;
  updates: UpdatesApi;
  updateStatus: UpdaterStatusRecord | undefined;
  csrf: string;
  now: number;
  /** Prefix of the visor's pages (`""` for this node). */
  base?: string;
  /** Whether the visor is this node (updates are managed on this node's page only). */
  local?: boolean;
  /** What the visor runs, shown for a remote one. */
  implementation?: string;
  /** Why a remote visor's stores or updates are not shown. */
  unavailable?: { readonly stores?: string; readonly updates?: string };
}

/** The overview: the node, its dmsg sessions, updates and store health. */
export const Overview: FC<OverviewProps> = (p) => {
  const update = updateSummary(p.updateStatus);
  const base = p.base ?? "";
  return (
    <div class="grid">
      <Card
        title="Node"
        aside={<button type="button" data-copy={p.info.pk}>Copy key</button>}
      >
        <KeyValues
          rows={[
            ["Public key", <code>{p.info.pk}</code>],
            ...(p.implementation ? [["Runs", p.implementation] as [string, string]] : []),
            ["Version", p.info.version || "—"],
            // What a remote visor does not report is left out rather than shown empty.
            ...(p.info.deno
              ? [["Runtime", `Deno ${p.info.deno} · ${p.info.target}`] as [string, string]]
              : []),
            ["Started", formatTime(p.info.started_at)],
            [
              "Uptime",
              <span data-since={p.info.started_at}>
                {formatSince(p.now - Date.parse(p.info.started_at))}
              </span>,
            ],
            ...(p.info.starts ? [["Starts", String(p.info.starts)] as [string, string]] : []),
            ...(p.info.local_path
              ? [["State", <code>{p.info.local_path}</code>] as [string, Child]]
              : []),
          ]}
        />
      </Card>
      <Card title="DMSG" aside={<a href={`${base}/dmsg`}>Sessions</a>}>
        <div id="live-overview-dmsg">
          <DmsgSummary dmsg={p.dmsg} />
        </div>
      </Card>
      <Card
        title="Updates"
        aside={p.local === false ? undefined : <a href="/updates">Details</a>}
      >
        {p.unavailable?.updates
          ? <p class="muted">Not available for this visor: {p.unavailable.updates}.</p>
          : (
            <KeyValues
              rows={[
                ["Status", <Badge tone={update.tone}>{update.text}</Badge>],
                ["Channel", p.updates.settings.channel],
                ["Last check", formatTime(p.updateStatus?.last_check?.time)],
                [
                  "Background",
                  p.updates.checkUnavailable ?? `every ${p.updates.settings.interval}`,
                ],
              ]}
            />
          )}
      </Card>
      <Card
        title="Storage (Deno KV)"
        aside={p.stores
          ? <PostButton action={`${base}/stores/check`} csrf={p.csrf} label="Check now" />
          : undefined}
      >
        {p.stores
          ? (
            <div id="live-stores">
              <StoresSummary stores={p.stores} />
            </div>
          )
          : (
            <p class="muted">
              Not available for this visor{p.unavailable?.stores
                ? `: ${p.unavailable.stores}`
                : ""}.
            </p>
          )}
      </Card>
    </div>
  );
};
