import type { FC } from "hono/jsx";
import type { AppSummary } from "../../services/visor/api.ts";
import { Badge, Card, NotAvailable, PostButton } from "./components.tsx";

/** Shown while the node has no app launcher. */
export const AppsNotAvailable: FC = () => (
  <NotAvailable feature="Apps">
    <p>
      This node does not launch apps yet (skysocks, skychat, ...), so there is nothing to start or
      stop here and no sample entries are shown. The page fills in once the app launcher is part of
      the build.
    </p>
  </NotAvailable>
);

/** Apps with start/stop and, for proxies, the address to point a browser at. */
export const AppsPage: FC<{ apps: AppSummary[]; csrf: string; base?: string }> = (p) => (
  <Card title="Apps">
    {p.apps.length === 0 ? <p class="muted">No apps configured.</p> : (
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">State</th>
              <th scope="col">Port</th>
              <th scope="col">Auto start</th>
              <th scope="col">Proxy address</th>
              <th scope="col">
                <span class="muted">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {p.apps.map((app) => (
              <tr>
                <td>{app.name}</td>
                <td>
                  <Badge
                    tone={app.status === "running"
                      ? "ok"
                      : app.status === "errored"
                      ? "bad"
                      : "muted"}
                  >
                    {app.status}
                  </Badge>
                  {app.detailed_status ? <div class="muted">{app.detailed_status}</div> : null}
                </td>
                <td class="num">{app.port}</td>
                <td>{app.auto_start ? "yes" : "no"}</td>
                <td>{app.proxy_address ? <code>{app.proxy_address}</code> : "—"}</td>
                <td>
                  <PostButton
                    action={`${p.base ?? ""}/apps/${encodeURIComponent(app.name)}/${
                      app.status === "running" ? "stop" : "start"
                    }`}
                    csrf={p.csrf}
                    label={app.status === "running" ? "Stop" : "Start"}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
  </Card>
);
