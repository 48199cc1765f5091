import type { FC } from "hono/jsx";
import type { RouteGroupSummary, RuleSummary } from "../../services/visor/api.ts";
import { Badge, Card, NotAvailable, PostButton } from "./components.tsx";
import { formatLatency, formatSince, shortKey } from "./format.ts";

/** Shown while the node has no router. */
export const RoutesNotAvailable: FC = () => (
  <NotAvailable feature="Routes">
    <p>
      This node does not route, so it has no routing rules or route groups to show (and none are
      invented).
    </p>
  </NotAvailable>
);

// Go's rule type names (`routing.RuleType.String`).
const RULE_TYPES = ["Consume", "Forward", "IntermediaryForward"];

/** `pk:port`, the key shortened (the full key in the title). */
const Endpoint: FC<{ pk: string; port: number }> = (p) => (
  <code title={`${p.pk}:${p.port}`}>{`${shortKey(p.pk)}:${p.port}`}</code>
);

/** One routing rule's row: Go's columns, and a remove button. */
const RuleRow: FC<{ rule: RuleSummary; csrf: string; base: string }> = ({ rule, csrf, base }) => {
  // A Consume rule's descriptor is written from the remote's side (src: the remote).
  const consume = rule.app_fields?.route_descriptor;
  const forward = rule.forward_fields?.route_descriptor;
  const remote = consume
    ? { pk: consume.src_pk, port: consume.src_port, local: consume.dst_port }
    : forward
    ? { pk: forward.dst_pk, port: forward.dst_port, local: forward.src_port }
    : undefined;
  const next = rule.forward_fields ?? rule.intermediary_forward_fields;
  return (
    <tr>
      <td class="num">{rule.key_route_id}</td>
      <td>{RULE_TYPES[rule.rule_type] ?? String(rule.rule_type)}</td>
      <td>{rule.keep_alive > 0 ? formatSince(rule.keep_alive / 1e6) : "—"}</td>
      <td>
        {remote
          ? (
            <>
              <Endpoint pk={remote.pk} port={remote.port} />
              <span class="muted">{` from port ${remote.local}`}</span>
            </>
          )
          : <span class="muted">— (relayed)</span>}
      </td>
      <td>
        {next
          ? (
            <>
              <span class="num">{next.next_rid}</span> <span class="muted">on</span>{" "}
              <code>{next.next_tid}</code>
            </>
          )
          : <span class="muted">— (consumed here)</span>}
      </td>
      <td>
        <PostButton
          action={`${base}/routes/${rule.key_route_id}/remove`}
          csrf={csrf}
          label="Remove"
        />
      </td>
    </tr>
  );
};

/** The route groups table (a live region: it holds no form, so it renders without a session). */
export const RouteGroups: FC<{ groups: RouteGroupSummary[] }> = ({ groups }) =>
  groups.length === 0 ? <p class="muted">No route groups.</p> : (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Remote</th>
            <th scope="col">Local port</th>
            <th scope="col">Forward / consume rule</th>
            <th scope="col">Transport</th>
            <th scope="col">Dialed by</th>
            <th scope="col">State</th>
            <th scope="col">Latency</th>
            <th scope="col">Sent / received</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr>
              <td>
                <Endpoint pk={g.remote_pk} port={g.remote_port} />
              </td>
              <td class="num">{g.local_port}</td>
              <td class="num">{`${g.forward_route_id} / ${g.consume_route_id}`}</td>
              <td>
                <code>{g.transport_id}</code>
              </td>
              <td>{g.initiator ? "this node" : "the remote"}</td>
              <td>
                <Badge tone={g.state === "open" ? "ok" : "bad"}>{g.state}</Badge>
              </td>
              <td class="num">{formatLatency(g.latency_ms)}</td>
              <td class="num">{`${g.log.sent} B / ${g.log.recv} B`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );

/** Routing rules (with remove) and route groups (live). */
export const RoutesPage: FC<{
  rules: RuleSummary[];
  groups: RouteGroupSummary[];
  csrf: string;
  /** Prefix of the visor's pages (`""` for this node). */
  base?: string;
}> = (p) => (
  <div class="stack">
    <Card title="Routing rules">
      {p.rules.length === 0 ? <p class="muted">No routing rules.</p> : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Route ID</th>
                <th scope="col">Type</th>
                <th scope="col">Keep-alive</th>
                <th scope="col">Remote PK:port</th>
                <th scope="col">Next route on transport</th>
                <th scope="col">
                  <span class="muted">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {p.rules.map((rule) => <RuleRow rule={rule} csrf={p.csrf} base={p.base ?? ""} />)}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted">A rule unused for its keep-alive is removed by the router.</p>
    </Card>
    <Card title="Route groups">
      <div id="live-route-groups">
        <RouteGroups groups={p.groups} />
      </div>
    </Card>
  </div>
);
