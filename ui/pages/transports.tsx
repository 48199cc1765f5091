import type { FC } from "hono/jsx";
import type { TransportSummary } from "../../services/visor/api.ts";
import { Badge, Card, CsrfField, NotAvailable, PostButton } from "./components.tsx";
import { shortKey } from "./format.ts";

/** Shown while the node has no transport manager. */
export const TransportsNotAvailable: FC = () => (
  <NotAvailable feature="Transports">
    <p>
      This node does not run transports yet, so there is nothing to list: no sample data is shown.
      The page fills in once the transport manager is part of the build.
    </p>
    <p>
      Meanwhile the node reaches others over dmsg; see <a href="/dmsg">DMSG</a>.
    </p>
  </NotAvailable>
);

/** The transports table with add and remove. */
export const TransportsPage: FC<{
  transports: TransportSummary[];
  types: string[];
  csrf: string;
  /** Prefix of the visor's pages (`""` for this node). */
  base?: string;
}> = (p) => (
  <div class="stack">
    <Card title="Transports">
      {p.transports.length === 0
        ? <p class="muted">No transports yet.</p>
        : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">ID</th>
                  <th scope="col">Remote</th>
                  <th scope="col">Type</th>
                  <th scope="col">Label</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span class="muted">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.transports.map((tp) => (
                  <tr>
                    <td>
                      <code>{tp.id}</code>
                    </td>
                    <td>
                      <code title={tp.remote_pk}>{shortKey(tp.remote_pk)}</code>
                    </td>
                    <td>{tp.type}</td>
                    <td>{tp.label}</td>
                    <td>
                      <Badge tone={tp.is_up ? "ok" : "bad"}>{tp.is_up ? "up" : "down"}</Badge>
                    </td>
                    <td>
                      <PostButton
                        action={`${p.base ?? ""}/transports/${encodeURIComponent(tp.id)}/remove`}
                        csrf={p.csrf}
                        label="Remove"
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </Card>
    <Card title="Add a transport">
      <form method="post" action={`${p.base ?? ""}/transports`}>
        <CsrfField token={p.csrf} />
        <label for="remote_pk">Remote public key</label>
        <input
          type="text"
          id="remote_pk"
          name="remote_pk"
          required
          pattern="[0-9a-fA-F]{66}"
          autocomplete="off"
          spellcheck={false}
        />
        <label for="type">Type</label>
        <select id="type" name="type">
          {p.types.map((t) => <option value={t}>{t}</option>)}
        </select>
        <div class="actions">
          <button type="submit" class="primary">Add transport</button>
        </div>
      </form>
    </Card>
  </div>
);
