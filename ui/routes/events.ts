import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { UiDeps, UiEnv } from "../context.ts";
import { requireSession } from "../middleware/session.ts";

// A page follows a handful of topics; more is a malformed request, not a reason to work.
const MAX_TOPICS = 8;

/**
 * `GET /events?topics=a,b[&after=SEQ]`: the live updates of a page, as Server-Sent Events
 * (`fragment` events with `{id, html}` for live regions, `log` events with log lines). Needs a
 * session; ends when the session does, and is released when the browser goes away. 503 when
 * the hub's stream limit is reached.
 */
export function eventsRoutes(deps: UiDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.get("/events", requireSession(deps, { api: true }), async (c) => {
    const topics = (c.req.query("topics") ?? "").split(",").filter(Boolean).slice(0, MAX_TOPICS);
    const after = Number(c.req.query("after"));
    const session = c.get("session");
    const stream = await deps.hub.open({
      topics,
      afterLogSeq: Number.isSafeInteger(after) && after >= 0 ? after : undefined,
      alive: async () => (await deps.auth.session(session.token)) === session,
    });
    if (!stream) return c.json({ error: "too many live connections; close a tab" }, 503);
    return streamSSE(c, async (sse) => {
      sse.onAbort(() => stream.close());
      try {
        for await (const message of stream) {
          if ("comment" in message) await sse.write(`: ${message.comment}\n\n`);
          else await sse.writeSSE(message);
        }
      } finally {
        stream.close();
      }
    }, (_error, _sse) => {
      stream.close();
      return Promise.resolve();
    });
  });
  return app;
}
