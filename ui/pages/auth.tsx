import type { FC } from "hono/jsx";
import { MIN_PASSWORD_LENGTH } from "../auth/password.ts";
import { CsrfField } from "./components.tsx";
import { AuthLayout } from "./layout.tsx";
import { shortKey } from "./format.ts";

/** The login form. */
export const LoginPage: FC<{ pk: string; csrf: string; next: string; error?: string }> = (p) => (
  <AuthLayout title="Log in">
    <div class="card">
      <h1>Log in</h1>
      <p class="muted">
        skywire node <code title={p.pk}>{shortKey(p.pk)}</code>
      </p>
      {p.error ? <p class="notice bad" role="alert">{p.error}</p> : null}
      <form method="post" action="/login">
        <CsrfField token={p.csrf} />
        <input type="hidden" name="next" value={p.next} />
        {/* The one user's name, for password managers. */}
        <input type="text" name="username" value="admin" autocomplete="username" hidden />
        <label for="password">Password</label>
        <input
          type="password"
          id="password"
          name="password"
          autocomplete="current-password"
          required
          autofocus
        />
        <button type="submit" class="primary">Log in</button>
      </form>
    </div>
  </AuthLayout>
);

/** The first visit: choose the password (only from this machine). */
export const SetupPage: FC<{ pk: string; csrf: string; local: boolean; error?: string }> = (
  p,
) => (
  <AuthLayout title="Set a password">
    <div class="card">
      <h1>Welcome</h1>
      <p class="muted">
        This is the web UI of skywire node{" "}
        <code title={p.pk}>{shortKey(p.pk)}</code>. Choose the password that protects it.
      </p>
      {p.error ? <p class="notice bad" role="alert">{p.error}</p> : null}
      {p.local
        ? (
          <form method="post" action="/setup">
            <CsrfField token={p.csrf} />
            <input type="text" name="username" value="admin" autocomplete="username" hidden />
            <label for="password">New password</label>
            <input
              type="password"
              id="password"
              name="password"
              autocomplete="new-password"
              minlength={MIN_PASSWORD_LENGTH}
              required
              autofocus
            />
            <label for="confirm">Repeat it</label>
            <input
              type="password"
              id="confirm"
              name="confirm"
              autocomplete="new-password"
              minlength={MIN_PASSWORD_LENGTH}
              required
            />
            <button type="submit" class="primary">Set password and log in</button>
          </form>
        )
        : (
          <p class="notice" role="status">
            No password is set yet, and the first one can only be chosen from the node itself (this
            browser is on another machine). On the node, run{" "}
            <code>skywire cli visor hv password</code>, then reload this page.
          </p>
        )}
    </div>
  </AuthLayout>
);
