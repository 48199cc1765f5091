import { type ByteStream, writeAll } from "../../../mod/conn/mod.ts";
import { encodeReply, ReadDeadline } from "../../../mod/socks5/mod.ts";
import type { KeeperStatus } from "./session_keeper.ts";

/** The proxy's state as `http://status.skysocks/` shows it. */
export interface ClientStatus {
  /** The app. */
  app: "skysocks-client";
  /** Where the SOCKS port listens. */
  listening: string;
  /** The skysocks server's visor. */
  server: string;
  /** Whether lost sessions are redialed. */
  reconnect: boolean;
  /** When the client started (ISO 8601). */
  startedAt: string;
  /** Local SOCKS connections open now. */
  connections: number;
  /** Local SOCKS connections served since start. */
  served: number;
  /** Requests answered with a SOCKS error because no session came in time. */
  unreachable: number;
  /** The session to the server. */
  session: KeeperStatus;
}

// An HTTP request head larger than this is not a browser asking for one page.
const MAX_REQUEST_HEAD = 8 * 1024;
// How long the browser may take to send its request after the CONNECT reply.
const REQUEST_HEAD_TIMEOUT_MS = 5_000;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The HTML page: the state in a table, reloading itself so a tab follows the proxy. */
export function renderStatusHtml(status: ClientStatus): string {
  const s = status.session;
  const rows: Array<[string, string | number | undefined]> = [
    ["state", s.state],
    ["since", s.since],
    ["server", status.server],
    ["listening", status.listening],
    ["reconnect", status.reconnect ? "on" : "off"],
    ["connects", s.connects],
    ["reconnects", s.reconnects],
    ["dial failures", s.dialFailures],
    ["last ping (ms)", s.lastRttMs],
    ["unanswered pings", s.pingFailures],
    ["open streams", s.streams],
    ["next dial", s.nextDialAt],
    ["last error", s.lastError],
    ["local connections", status.connections],
    ["served", status.served],
    ["answered unreachable", status.unreachable],
    ["started", status.startedAt],
  ];
  const body = rows.filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(String(v))}</td></tr>`).join("\n");
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>skysocks-client: ${escape(s.state)}</title>
<style>body{font-family:sans-serif;margin:2em}th{text-align:left;padding-right:1em}</style>
</head><body><h1>skysocks-client: ${escape(s.state)}</h1>
<table>
${body}
</table>
<p>JSON: <a href="/json">/json</a></p>
</body></html>
`;
}

// Reads the request head (bounded in size and time); resolves its first line, or "" on failure.
async function readRequestLine(conn: ByteStream): Promise<string> {
  const deadline = new ReadDeadline(conn, REQUEST_HEAD_TIMEOUT_MS);
  const buf = new Uint8Array(MAX_REQUEST_HEAD);
  let used = 0;
  try {
    while (used < buf.length) {
      const n = await conn.read(buf.subarray(used));
      if (n === null) break;
      used += n;
      const text = new TextDecoder().decode(buf.subarray(0, used));
      if (text.includes("\r\n\r\n") || text.includes("\n\n")) return text.split(/\r?\n/)[0];
    }
  } catch {
    // Timed out or gone: answer with the default page anyway.
  } finally {
    deadline.clear();
  }
  return "";
}

/**
 * Answer a CONNECT to the status host in-process: a success reply, then one HTTP response with
 * the state (`/json` gives JSON, anything else the HTML page), then close. Nothing is dialed.
 */
export async function serveStatusPage(conn: ByteStream, status: ClientStatus): Promise<void> {
  await writeAll(conn, encodeReply(0));
  const line = await readRequestLine(conn);
  const path = line.split(" ")[1] ?? "/";
  const json = path.startsWith("/json") || path.includes("format=json");
  const body = new TextEncoder().encode(
    json ? JSON.stringify(status, null, 2) + "\n" : renderStatusHtml(status),
  );
  const head = [
    "HTTP/1.1 200 OK",
    `Content-Type: ${json ? "application/json" : "text/html; charset=utf-8"}`,
    `Content-Length: ${body.length}`,
    "Cache-Control: no-store",
    "Connection: close",
    "",
    "",
  ].join("\r\n");
  await writeAll(conn, new TextEncoder().encode(head));
  await writeAll(conn, body);
}
