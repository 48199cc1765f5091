import { join, resolve } from "node:path";
import {
  createRelease,
  decodePublicKey,
  decodeSecretKeyFile,
  encodeManifest,
  encodePublicKeyFile,
  encodeSecretKeyFile,
  generateReleaseKeyPair,
  hashFile,
  parseSignedManifest,
  RELEASE_CHANNELS,
  RELEASE_TARGETS,
  type ReleaseAsset,
  type ReleaseChannel,
  type ReleaseKey,
  type ReleaseTarget,
  signManifest,
  trustedReleaseKeys,
  unsignedManifest,
  verifyManifest,
} from "../../mod/release/mod.ts";
import { bytesToHex } from "../../mod/cipher/mod.ts";
import { VERSION } from "../../mod/version/mod.ts";
import { createProgress } from "../updater/mod.ts";
import { type Command, UsageError } from "./command.ts";

const encoder = new TextEncoder();

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

/** Write `text` to `path` atomically (temp file beside it, then rename). */
async function writeAtomic(path: string, text: string, mode = 0o644): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  try {
    await Deno.writeTextFile(tmp, text, { mode });
    await Deno.chmod(tmp, mode);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

function channelFlag(value: unknown): ReleaseChannel {
  const channel = String(value);
  if (!(RELEASE_CHANNELS as readonly string[]).includes(channel)) {
    throw new UsageError(`--channel must be one of ${RELEASE_CHANNELS.join(", ")}`);
  }
  return channel as ReleaseChannel;
}

const keygenCommand: Command = {
  name: "keygen",
  summary: "make a release signing key pair (secret file mode 0600)",
  usage: "[flags]",
  description: "Writes PREFIX.key (secret, mode 0600) and PREFIX.pub, and prints the key id and\n" +
    "public key. The secret key is never printed unless --print-secret is given. Keep it\n" +
    "offline; put the public key into mod/release/trusted_keys.ts (or updater.trusted_keys).",
  flags: [
    {
      name: "output",
      short: "o",
      type: "string",
      valueName: "PREFIX",
      description: "file name prefix",
      default: "skywire-release",
    },
    { name: "print-secret", type: "boolean", description: "also print the secret key" },
  ],
  run: async ({ flags, out, err }) => {
    const prefix = flags.output as string;
    const secretPath = `${prefix}.key`, publicPath = `${prefix}.pub`;
    for (const path of [secretPath, publicPath]) {
      if (await exists(path)) throw new Error(`${path} already exists; not overwriting a key`);
    }
    const pair = generateReleaseKeyPair();
    // createNew + 0600 from the first byte: the secret is never readable by others, not even
    // between creating and chmod-ing the file.
    const file = await Deno.open(secretPath, { write: true, createNew: true, mode: 0o600 });
    try {
      await Deno.chmod(secretPath, 0o600);
      const bytes = encoder.encode(encodeSecretKeyFile(pair));
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
    } finally {
      file.close();
    }
    await Deno.writeTextFile(publicPath, encodePublicKeyFile(pair), { createNew: true });
    err(`wrote ${secretPath} (secret, mode 0600) and ${publicPath}`);
    out(`key_id ${pair.keyId}`);
    out(`public_key ${bytesToHex(pair.publicKey)}`);
    if (flags["print-secret"]) out(`secret_key ${bytesToHex(pair.secretKey)}`);
  },
};

const manifestCommand: Command = {
  name: "manifest",
  summary: "build an unsigned release manifest from the binaries in dist/",
  usage: "[flags]",
  description: "Hashes dist/skywire-<target> for each release target and writes the manifest\n" +
    "(unsigned; sign it with 'skywire release sign'). Publish it beside the binaries.",
  flags: [
    {
      name: "dist",
      type: "string",
      valueName: "DIR",
      description: "build output",
      default: "dist",
    },
    {
      name: "version",
      type: "string",
      valueName: "V",
      description: "version of the binaries",
      default: VERSION,
    },
    {
      name: "channel",
      type: "string",
      valueName: "C",
      description: `channel (${RELEASE_CHANNELS.join(", ")})`,
      default: "stable",
    },
    { name: "date", type: "string", valueName: "ISO", description: "release time (default now)" },
    { name: "notes", type: "string", valueName: "TEXT", description: "release notes" },
    {
      name: "output",
      short: "o",
      type: "string",
      valueName: "FILE",
      description: "manifest file (default DIR/manifest.json)",
    },
  ],
  run: async ({ flags, out, err }) => {
    const dist = flags.dist as string;
    const channel = channelFlag(flags.channel);
    const date = flags.date !== undefined ? new Date(String(flags.date)) : new Date();
    if (Number.isNaN(date.getTime())) throw new UsageError(`--date is not a time`);
    const assets: Partial<Record<ReleaseTarget, ReleaseAsset>> = {};
    for (const target of RELEASE_TARGETS) {
      const file = `skywire-${target}`;
      const path = join(dist, file);
      if (!(await exists(path))) {
        err(`warning: ${path} not found; the release will have no ${target} binary`);
        continue;
      }
      const progress = createProgress({
        label: `hashing ${file}`,
        terminal: Deno.stderr.isTerminal(),
        write: (text) => Deno.stderr.writeSync(encoder.encode(text)),
      });
      try {
        const digest = await hashFile(path, { onProgress: (d, t) => progress.update(d, t) });
        assets[target] = { file, size: digest.size, sha256: digest.sha256 };
      } finally {
        progress.end();
      }
    }
    if (Object.keys(assets).length === 0) {
      throw new Error(`no skywire-<target> binaries in ${dist}`);
    }
    const release = createRelease({
      version: String(flags.version),
      channel,
      date,
      assets,
      notes: flags.notes as string | undefined,
    });
    const output = (flags.output as string | undefined) ?? join(dist, "manifest.json");
    await writeAtomic(output, encodeManifest(unsignedManifest(release)));
    out(`wrote ${output}: ${release.version} (${channel}), ${Object.keys(assets).join(", ")}`);
  },
};

const signCommand: Command = {
  name: "sign",
  summary: "sign a release manifest with a release secret key",
  usage: "--key FILE [flags] MANIFEST",
  args: { min: 1, max: 1 },
  flags: [
    { name: "key", short: "k", type: "string", valueName: "FILE", description: "secret key file" },
    {
      name: "output",
      short: "o",
      type: "string",
      valueName: "FILE",
      description: "signed manifest (default: in place)",
    },
  ],
  run: async ({ args, flags, out, err }) => {
    if (flags.key === undefined) throw new UsageError("--key FILE is required");
    const keyPath = flags.key as string;
    const mode = (await Deno.stat(keyPath)).mode;
    if (mode !== null && (mode & 0o077) !== 0) {
      err(
        `warning: ${keyPath} is readable by others (mode ${
          (mode & 0o777).toString(8)
        }); chmod 600 it`,
      );
    }
    const pair = decodeSecretKeyFile(await Deno.readTextFile(keyPath));
    const manifest = parseSignedManifest(await Deno.readFile(args[0]));
    const signed = signManifest(manifest, pair);
    const output = (flags.output as string | undefined) ?? args[0];
    await writeAtomic(output, encodeManifest(signed));
    out(`signed ${output} with key ${pair.keyId}`);
  },
};

const verifyCommand: Command = {
  name: "verify",
  summary: "check a manifest's signature against the trusted keys",
  usage: "[--key PUB] MANIFEST",
  args: { min: 1, max: 1 },
  flags: [
    {
      name: "key",
      short: "k",
      type: "string",
      valueName: "PUB",
      description: "also trust this public key (hex or .pub file)",
    },
    { name: "channel", type: "string", valueName: "C", description: "require this channel" },
  ],
  run: async ({ args, flags, out }) => {
    const keys: ReleaseKey[] = trustedReleaseKeys();
    if (flags.key !== undefined) {
      const text = String(flags.key);
      keys.push(decodePublicKey(await exists(text) ? await Deno.readTextFile(text) : text));
    }
    const { release, keyId } = verifyManifest(parseSignedManifest(await Deno.readFile(args[0])), {
      trustedKeys: keys,
      channel: flags.channel !== undefined ? channelFlag(flags.channel) : undefined,
    });
    out(
      `${resolve(args[0])}: ${release.version} (${release.channel}, ${release.date}) ` +
        `signed by ${keyId}`,
    );
  },
};

/** `skywire release`: maintainers' tools. */
export const releaseCommand: Command = {
  name: "release",
  summary: "make release keys and signed manifests (maintainers)",
  subcommands: [keygenCommand, manifestCommand, signCommand, verifyCommand],
};
