import type { FC } from "hono/jsx";
import type { RouteGroupSummary, RouteRuleSummary } from "../../services/visor/api.ts";
import { Card, NotAvailable } from "./components.tsx";

/** Shown while the node has no router. */
export const RoutesNotAvailable: FC = () => (
  <NotAvailable feature="Routes">
    <p>
      This node does not route yet, so it has no routing rules or route groups to show (and none are
      invented). The page fills in once the router is part of the build.
    </p>
  </NotAvailable>
);

/** Routing rules and route groups. */
export const RoutesPage: FC<{ rules: RouteRuleSummary[]; groups: RouteGroupSummary[] }> = (
  p,
) => (
  <div class="stack">
    <Card title="Routing rules">
      {p.rules.length === 0 ? <p class="muted">No routing rules.</p> : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Route ID</th>
                <th scope="col">Type</th>
                <th scope="col">Rule</th>
              </tr>
            </thead>
            <tbody>
              {p.rules.map((r) => (
                <tr>
                  <td class="num">{r.key}</td>
                  <td>{String(r.rule_summary?.type ?? "—")}</td>
                  <td>
                    <code>{r.rule}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
    <Card title="Route groups">
      {p.groups.length === 0 ? <p class="muted">No route groups.</p> : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Forward rule</th>
                <th scope="col">Consume rule</th>
                <th scope="col">Descriptor</th>
                <th scope="col">Initiator</th>
              </tr>
            </thead>
            <tbody>
              {p.groups.map((g) => (
                <tr>
                  <td class="num">{g.fwd_rule_id}</td>
                  <td class="num">{g.consume_rule_id}</td>
                  <td>
                    <code>{JSON.stringify(g.desc)}</code>
                  </td>
                  <td>{g.initiator ? "yes" : "no"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  </div>
);
