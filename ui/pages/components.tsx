import type { Child, FC } from "hono/jsx";
import { CSRF_FIELD } from "../middleware/csrf.ts";

/** Tone of a badge. */
export type Tone = "ok" | "warn" | "bad" | "muted";

/** A small coloured label. */
export const Badge: FC<{ tone: Tone; children: Child }> = ({ tone, children }) => (
  <span class={tone === "muted" ? "badge" : `badge ${tone}`}>{children}</span>
);

/** The hidden CSRF field every form that changes state carries. */
export const CsrfField: FC<{ token: string }> = ({ token }) => (
  <input type="hidden" name={CSRF_FIELD} value={token} />
);

/** A one-button form that posts to `action` with the CSRF token. */
export const PostButton: FC<{
  action: string;
  csrf: string;
  label: string;
  primary?: boolean;
  disabled?: boolean;
  title?: string;
}> = (props) => (
  <form method="post" action={props.action}>
    <CsrfField token={props.csrf} />
    <button
      type="submit"
      class={props.primary ? "primary" : undefined}
      disabled={props.disabled}
      title={props.title}
    >
      {props.label}
    </button>
  </form>
);

/** A card with a heading (and optional controls beside it). */
export const Card: FC<{ title: string; aside?: Child; children: Child }> = (props) => (
  <section class="card" aria-label={props.title}>
    <div class="card-head">
      <h2>{props.title}</h2>
      {props.aside}
    </div>
    {props.children}
  </section>
);

/** A definition list of label → value rows. */
export const KeyValues: FC<{ rows: Array<[string, Child]> }> = ({ rows }) => (
  <dl class="kv">
    {rows.map(([label, value]) => (
      <>
        <dt>{label}</dt>
        <dd>{value}</dd>
      </>
    ))}
  </dl>
);

/**
 * What a page shows for a feature this build does not have yet, or (`remote`) that a fleet
 * member does not offer this hypervisor: no sample data.
 */
export const NotAvailable: FC<{ feature: string; remote?: boolean; children?: Child }> = (
  props,
) => (
  <section class="card empty" aria-label={`${props.feature} not available`}>
    <h2>
      {props.feature} are not available {props.remote ? "for this visor" : "in this build"}
    </h2>
    {props.remote
      ? (
        <p>
          The visor does not offer them to this hypervisor, so nothing is shown (no sample data).
        </p>
      )
      : props.children}
  </section>
);
