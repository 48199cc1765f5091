/**
 * Build information. The version is a constant in code (not read from a file) so that a compiled
 * or bundled binary knows it without any file beside it.
 *
 * @module
 */

/** The version of this build (semver, no leading `v`). */
export const VERSION = "0.1.0";

/** The Skywire wire protocols this build speaks, for `--version` and `/health`. */
export const PROTOCOLS = { dmsg: "classical (Noise XK/KK secp256k1, yamux)" } as const;

/** Parse `MAJOR.MINOR.PATCH[-pre]` (leading `v` allowed); `undefined` when malformed. */
export function parseVersion(text: string): [number, number, number, string] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/.exec(text.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ?? ""];
}

/** Compare two versions: negative when `a` is older, 0 when equal, positive when newer. */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a), pb = parseVersion(b);
  if (!pa || !pb) throw new Error(`cannot compare versions "${a}" and "${b}"`);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] as number) - (pb[i] as number);
  // A release sorts after its pre-releases (1.0.0-rc1 < 1.0.0).
  if (pa[3] === pb[3]) return 0;
  if (pa[3] === "") return 1;
  if (pb[3] === "") return -1;
  return pa[3] < pb[3] ? -1 : 1;
}
