/** Text formatting the pages share. */

/** `02ab12…9f3e`: a public key short enough for a title bar. */
export function shortKey(pk: string): string {
  return pk.length > 16 ? `${pk.slice(0, 8)}…${pk.slice(-6)}` : pk;
}

/** "3d 4h", "12m 5s": a duration as people read it (the client script counts the same way). */
export function formatSince(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

/** `2026-05-01 12:34:56 UTC` from an ISO time; the text itself when it does not parse. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** A latency in ms, or a dash when none was measured yet. */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}
