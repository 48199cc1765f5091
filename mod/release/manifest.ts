import { parseVersion } from "../version/mod.ts";
import { ManifestError } from "./errors.ts";

/** Build targets a release carries, named as `deno compile --target` names them. */
export const RELEASE_TARGETS = ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"] as const;

/** One of {@linkcode RELEASE_TARGETS}. */
export type ReleaseTarget = typeof RELEASE_TARGETS[number];

/** Release channels. */
export const RELEASE_CHANNELS = ["stable", "testing"] as const;

/** One of {@linkcode RELEASE_CHANNELS}. */
export type ReleaseChannel = typeof RELEASE_CHANNELS[number];

/** The `type` field every release carries, so a signature over some other JSON never fits. */
export const RELEASE_TYPE = "skywire-release";

/** The format version of {@linkcode Release}; bumped on incompatible changes. */
export const RELEASE_FORMAT = 1;

/** The largest asset a release may list (a node downloads at most this much). */
export const MAX_ASSET_SIZE = 512 * 1024 * 1024;

/** One downloadable file of a release. */
export interface ReleaseAsset {
  /** File name, resolved against the manifest's URL (no directories). */
  file: string;
  /** Exact size in bytes. */
  size: number;
  /** SHA-256 of the file, lowercase hex. */
  sha256: string;
}

/** The signed part of a manifest: everything a node acts on. */
export interface Release {
  /** Always {@linkcode RELEASE_TYPE}. */
  type: typeof RELEASE_TYPE;
  /** Always {@linkcode RELEASE_FORMAT}. */
  format: typeof RELEASE_FORMAT;
  /** Version of the binaries (semver, no leading `v`). */
  version: string;
  /** Channel this release was published to. */
  channel: ReleaseChannel;
  /** Release time, ISO 8601 UTC. */
  date: string;
  /** Assets by target; at least one. */
  assets: Partial<Record<ReleaseTarget, ReleaseAsset>>;
  /** Optional one-paragraph notes. */
  notes?: string;
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

function fail(message: string): never {
  throw new ManifestError("malformed", `release manifest: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkAsset(target: string, value: unknown): ReleaseAsset {
  if (!isRecord(value)) fail(`asset "${target}" is not an object`);
  const { file, size, sha256 } = value;
  if (typeof file !== "string" || !FILE_NAME.test(file) || file.includes("..")) {
    fail(`asset "${target}": "file" must be a plain file name`);
  }
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 1) {
    fail(`asset "${target}": "size" must be a positive integer`);
  }
  if (size > MAX_ASSET_SIZE) fail(`asset "${target}": size ${size} is over the limit`);
  if (typeof sha256 !== "string" || !SHA256_HEX.test(sha256)) {
    fail(`asset "${target}": "sha256" must be 64 lowercase hex digits`);
  }
  return { file, size, sha256 };
}

/**
 * Check that `value` (parsed JSON) is a {@linkcode Release}; throws {@linkcode ManifestError}
 * with code `malformed` naming the field. Unknown fields are kept (they are signed too) but
 * ignored; unknown targets are ignored.
 */
export function validateRelease(value: unknown): Release {
  if (!isRecord(value)) fail("the signed part is not an object");
  if (value.type !== RELEASE_TYPE) fail(`"type" must be "${RELEASE_TYPE}"`);
  if (value.format !== RELEASE_FORMAT) fail(`unsupported "format" ${String(value.format)}`);
  const { version, channel, date, assets, notes } = value;
  if (
    typeof version !== "string" || version.length > 64 || !/^\d/.test(version) ||
    !parseVersion(version)
  ) {
    fail(`"version" must be MAJOR.MINOR.PATCH[-pre]`);
  }
  if (typeof channel !== "string" || !(RELEASE_CHANNELS as readonly string[]).includes(channel)) {
    fail(`"channel" must be one of ${RELEASE_CHANNELS.join(", ")}`);
  }
  if (typeof date !== "string" || !ISO_DATE.test(date) || Number.isNaN(Date.parse(date))) {
    fail(`"date" must be an ISO 8601 UTC time`);
  }
  if (notes !== undefined && (typeof notes !== "string" || notes.length > 4096)) {
    fail(`"notes" must be a string of at most 4096 characters`);
  }
  if (!isRecord(assets)) fail(`"assets" must be an object`);
  const checked: Partial<Record<ReleaseTarget, ReleaseAsset>> = {};
  for (const target of RELEASE_TARGETS) {
    if (Object.hasOwn(assets, target)) checked[target] = checkAsset(target, assets[target]);
  }
  if (Object.keys(checked).length === 0) fail("no asset for any known target");
  return {
    type: RELEASE_TYPE,
    format: RELEASE_FORMAT,
    version,
    channel: channel as ReleaseChannel,
    date,
    assets: checked,
    ...(notes !== undefined ? { notes } : {}),
  };
}

/** Options for {@linkcode createRelease}. */
export interface CreateReleaseOptions {
  /** Version of the binaries. */
  version: string;
  /** Channel to publish to. */
  channel: ReleaseChannel;
  /** Assets by target. */
  assets: Partial<Record<ReleaseTarget, ReleaseAsset>>;
  /** Release time; default now. */
  date?: Date;
  /** Optional notes. */
  notes?: string;
}

/** Build a release (the part that gets signed), validated. */
export function createRelease(options: CreateReleaseOptions): Release {
  const date = (options.date ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z");
  return validateRelease({
    type: RELEASE_TYPE,
    format: RELEASE_FORMAT,
    version: options.version,
    channel: options.channel,
    date,
    assets: options.assets,
    ...(options.notes !== undefined ? { notes: options.notes } : {}),
  });
}
