/** Test fixtures for the updater: fake binaries, a stand-in systemctl, signed releases. */
import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import {
  createRelease,
  encodeManifest,
  generateReleaseKeyPair,
  type ReleaseChannel,
  type ReleaseKeyPair,
  signManifest,
  unsignedManifest,
} from "../../../mod/release/mod.ts";
import { bytesToHex, sha256 } from "../../../mod/cipher/mod.ts";

/** The asset target the tests use (the machine's own, so `Deno.build.target` works too). */
export const TEST_TARGET = "x86_64-unknown-linux-gnu";

/**
 * A "binary": a shell script that prints `skywire <version> (fake)` for `--version`, padded
 * with a comment after `exit` to `size` bytes so downloads have something to cut.
 */
export function fakeBinary(
  version: string,
  options: { size?: number; exitCode?: number; printVersion?: string } = {},
): Uint8Array {
  const printed = options.printVersion ?? version;
  const script = `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "skywire ${printed} (fake)"; ` +
    `exit ${options.exitCode ?? 0}; fi\necho "running ${version}"\nexit 0\n`;
  const size = Math.max(options.size ?? 64 * 1024, script.length + 2);
  const pad = "#" + "x".repeat(size - script.length - 2) + "\n";
  return new TextEncoder().encode(script + pad);
}

/** Write an executable fake binary. */
export async function writeBinary(path: string, bytes: Uint8Array): Promise<void> {
  await Deno.writeFile(path, bytes, { mode: 0o755 });
  await Deno.chmod(path, 0o755);
}

/** A stand-in `systemctl` (and `systemd-run`) in `<dir>/bin` that records its calls. */
export interface SystemctlStub {
  /** Directory to put first on PATH. */
  binDir: string;
  /** PATH value with the stub first. */
  pathEnv: string;
  /** Calls so far, one string per call (the arguments joined by spaces). */
  calls(): Promise<string[]>;
  /** Calls to systemd-run so far. */
  runCalls(): Promise<string[]>;
}

/** Make the stand-in. `active` units answer `active` to `is-active`; `failing` fail to restart. */
export async function systemctlStub(
  dir: string,
  options: { active: string[]; failing?: string[] },
): Promise<SystemctlStub> {
  const binDir = join(dir, "bin");
  await Deno.mkdir(binDir, { recursive: true });
  const log = join(dir, "systemctl.log");
  const runLog = join(dir, "systemd-run.log");
  const active = join(dir, "active-units");
  const failing = join(dir, "failing-units");
  await Deno.writeTextFile(active, options.active.map((u) => u + "\n").join(""));
  await Deno.writeTextFile(failing, (options.failing ?? []).map((u) => u + "\n").join(""));
  await Deno.writeTextFile(log, "");
  await Deno.writeTextFile(runLog, "");
  await writeBinary(
    join(binDir, "systemctl"),
    new TextEncoder().encode(`#!/bin/sh
echo "$*" >> '${log}'
eval unit=\\\${$#}
case "$1" in
  is-active)
    if grep -qxF "$unit" '${active}'; then echo active; exit 0; fi
    echo inactive; exit 3 ;;
  restart)
    if grep -qxF "$unit" '${failing}'; then echo "Job for $unit failed." >&2; exit 1; fi
    exit 0 ;;
esac
exit 0
`),
  );
  await writeBinary(
    join(binDir, "systemd-run"),
    new TextEncoder().encode(`#!/bin/sh\necho "$*" >> '${runLog}'\nexit 0\n`),
  );
  const lines = async (path: string) =>
    (await Deno.readTextFile(path)).split("\n").filter((l) => l !== "");
  return {
    binDir,
    pathEnv: `${binDir}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    calls: () => lines(log),
    runCalls: () => lines(runLog),
  };
}

/** Options for {@linkcode publishRelease}. */
export interface PublishOptions {
  /** Where files go: a directory (written) and/or a server (`put`). */
  dir?: string;
  server?: { put(name: string, bytes: Uint8Array | string): void };
  version: string;
  channel?: ReleaseChannel;
  key: ReleaseKeyPair;
  binary: Uint8Array;
  /** Override what the manifest says about the asset. */
  size?: number;
  sha256?: string;
  /** Rewrite the manifest text after signing (to forge it). */
  tamper?: (text: string) => string;
}

/** Publish a signed release: the binary and `manifest.json`. Returns the manifest text. */
export async function publishRelease(options: PublishOptions): Promise<string> {
  const file = `skywire-${TEST_TARGET}`;
  const release = createRelease({
    version: options.version,
    channel: options.channel ?? "stable",
    date: new Date("2026-01-02T03:04:05Z"),
    assets: {
      [TEST_TARGET]: {
        file,
        size: options.size ?? options.binary.length,
        sha256: options.sha256 ?? bytesToHex(sha256(options.binary)),
      },
    },
  });
  let text = encodeManifest(signManifest(unsignedManifest(release), options.key));
  if (options.tamper) text = options.tamper(text);
  if (options.dir) {
    await Deno.writeFile(join(options.dir, file), options.binary);
    await Deno.writeTextFile(join(options.dir, "manifest.json"), text);
  }
  options.server?.put(file, options.binary);
  options.server?.put("manifest.json", text);
  return text;
}

/** A fresh test release key (never the maintainers' key). */
export function testKey(): ReleaseKeyPair {
  return generateReleaseKeyPair();
}

/** The bytes and mode of a binary, to prove later that it was not touched. */
export interface BinarySnapshot {
  path: string;
  bytes: Uint8Array;
  mode: number;
}

/** Snapshot a binary. */
export async function snapshot(path: string): Promise<BinarySnapshot> {
  return { path, bytes: await Deno.readFile(path), mode: (await Deno.stat(path)).mode! & 0o7777 };
}

/** Assert the binary is byte-identical, still executable, and still runs. */
export async function assertUntouched(snap: BinarySnapshot, version: string): Promise<void> {
  assertEquals(await Deno.readFile(snap.path), snap.bytes, "binary bytes changed");
  const mode = (await Deno.stat(snap.path)).mode! & 0o7777;
  assertEquals(mode, snap.mode, "binary mode changed");
  assert((mode & 0o111) !== 0, "binary is no longer executable");
  const out = await new Deno.Command(snap.path, { args: ["--version"], stdout: "piped" }).output();
  assertEquals(new TextDecoder().decode(out.stdout).trim(), `skywire ${version} (fake)`);
}

/** Names of the updater's work files (partials, staged binaries) in `dir`. */
export async function workFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.includes(".update-")) names.push(entry.name);
  }
  return names.sort();
}
