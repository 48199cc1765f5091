import type { FC } from "hono/jsx";
import type { DmsgStatus } from "../../services/visor/api.ts";
import { Badge, Card, KeyValues } from "./components.tsx";
import { formatLatency, shortKey } from "./format.ts";

/** The sessions table (a live region). */
export const DmsgSessions: FC<{ dmsg: DmsgStatus }> = ({ dmsg }) =>
  dmsg.sessions.length === 0
    ? (
      <p class="muted">
        No session with a dmsg server yet: the node keeps trying (servers from the config first,
        then the discovery's).
      </p>
    )
    : (
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Server</th>
              <th scope="col">Address</th>
              <th scope="col" class="num">Latency</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {dmsg.sessions.map((s) => (
              <tr>
                <td>
                  <code title={s.server_pk}>{shortKey(s.server_pk)}</code>
                </td>
                <td>{s.address ? <code>{s.address}</code> : "—"}</td>
                <td class="num">{formatLatency(s.latency_ms)}</td>
                <td>
                  {!dmsg.discovery
                    ? "—"
                    : dmsg.configured_servers.includes(s.server_pk)
                    ? "config"
                    : "discovery"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );

/** The dmsg page. */
export const DmsgPage: FC<{ dmsg: DmsgStatus }> = ({ dmsg }) => {
  const n = dmsg.sessions.length;
  return (
    <div class="stack">
      <Card title="Client">
        {
          // A remote visor reports its sessions, not its dmsg settings: nothing is made up.
          !dmsg.discovery
            ? <p class="muted">Not reported by this visor; its sessions are below.</p>
            : (
              <KeyValues
                rows={[
                  ["Discovery", <code>{dmsg.discovery}</code>],
                  ["Sessions wanted", String(dmsg.sessions_wanted)],
                  [
                    "Servers in the config",
                    dmsg.configured_servers.length
                      ? (
                        <span>
                          {dmsg.configured_servers.map((pk, i) => (
                            <>
                              {i > 0 ? ", " : ""}
                              <code title={pk}>{shortKey(pk)}</code>
                            </>
                          ))}
                        </span>
                      )
                      : <span class="muted">none (all from the discovery)</span>,
                  ],
                ]}
              />
            )
        }
      </Card>
      <Card
        title="Sessions"
        aside={<Badge tone={n === 0 ? "bad" : "ok"}>{`${n} open`}</Badge>}
      >
        <div id="live-dmsg-sessions">
          <DmsgSessions dmsg={dmsg} />
        </div>
      </Card>
    </div>
  );
};
