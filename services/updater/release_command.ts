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
import {
  booleanFlag,
  type Command,
  createProgress,
  defineCommand,
  oneOfValue,
  stringFlag,
  UsageError,
  valueFlag,
} from "../../mod/cli/mod.ts";

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

const channelValue = oneOfValue<ReleaseChannel>(RELEASE_CHANNELS);

const keygenCommand = defineCommand({
  name: "keygen",
  summary: "make a release signing key pair (secret file mode 0600)",
  usage: "[flags]",
  description: "Writes PREFIX.key (secret, mode 0600) and PREFIX.pub, and prints the key id and\n" +
    "public key. The secret key is never printed unless --print-secret is given. Keep it\n" +
    "offline; put the public key into mod/release/trusted_keys.ts (or updater.trusted_keys).",
  flags: {
    output: stringFlag({
      short: "o",
      valueName: "PREFIX",
      description: "file name prefix",
      default: "skywire-release",
    }),
    "print-secret": booleanFlag({ description: "also print the secret key" }),
  },
  run: async ({ flags, out, err }) => {
    const prefix = flags.output;
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
});

const manifestCommand = defineCommand({
  name: "manifest",
  summary: "build an unsigned release manifest from the binaries in dist/",
  usage: "[flags]",
  description: "Hashes dist/skywire-<target> for each release target and writes the manifest\n" +
    "(unsigned; sign it with 'skywire release sign'). Publish it beside the binaries.",
  flags: {
    dist: stringFlag({ valueName: "DIR", description: "build output", default: "dist" }),
    version: stringFlag({
      valueName: "V",
      description: "version of the binaries",
      default: VERSION,
    }),
    channel: valueFlag({
      valueName: "C",
      description: `channel (${RELEASE_CHANNELS.join(", ")})`,
      parse: channelValue,
      default: "stable",
    }),
    date: valueFlag({
      valueName: "ISO",
      description: "release time (default now)",
      parse: (text, flag) => {
        const date = new Date(text);
        if (Number.isNaN(date.getTime())) throw new UsageError(`${flag} is not a time`);
        return date;
      },
    }),
    notes: stringFlag({ valueName: "TEXT", description: "release notes" }),
    output: stringFlag({
      short: "o",
      valueName: "FILE",
      description: "manifest file (default DIR/manifest.json)",
    }),
  },
  run: async ({ flags, out, err }) => {
    const { dist, channel } = flags;
    const date = flags.date ?? new Date();
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
      version: flags.version,
      channel,
      date,
      assets,
      notes: flags.notes,
    });
    const output = flags.output ?? join(dist, "manifest.json");
    await writeAtomic(output, encodeManifest(unsignedManifest(release)));
    out(`wrote ${output}: ${release.version} (${channel}), ${Object.keys(assets).join(", ")}`);
  },
});

const signCommand = defineCommand({
  name: "sign",
  summary: "sign a release manifest with a release secret key",
  usage: "--key FILE [flags] MANIFEST",
  args: { min: 1, max: 1 },
  flags: {
    key: stringFlag({ short: "k", valueName: "FILE", description: "secret key file" }),
    output: stringFlag({
      short: "o",
      valueName: "FILE",
      description: "signed manifest (default: in place)",
    }),
  },
  run: async ({ args, flags, out, err }) => {
    const keyPath = flags.key;
    if (keyPath === undefined) throw new UsageError("--key FILE is required");
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
    const output = flags.output ?? args[0];
    await writeAtomic(output, encodeManifest(signed));
    out(`signed ${output} with key ${pair.keyId}`);
  },
});

const verifyCommand = defineCommand({
  name: "verify",
  summary: "check a manifest's signature against the trusted keys",
  usage: "[--key PUB] MANIFEST",
  args: { min: 1, max: 1 },
  flags: {
    key: stringFlag({
      short: "k",
      valueName: "PUB",
      description: "also trust this public key (hex or .pub file)",
    }),
    channel: valueFlag({
      valueName: "C",
      description: "require this channel",
      parse: channelValue,
    }),
  },
  run: async ({ args, flags, out }) => {
    const keys: ReleaseKey[] = trustedReleaseKeys();
    if (flags.key !== undefined) {
      const text = flags.key;
      keys.push(decodePublicKey(await exists(text) ? await Deno.readTextFile(text) : text));
    }
    const { release, keyId } = verifyManifest(parseSignedManifest(await Deno.readFile(args[0])), {
      trustedKeys: keys,
      channel: flags.channel,
    });
    out(
      `${resolve(args[0])}: ${release.version} (${release.channel}, ${release.date}) ` +
        `signed by ${keyId}`,
    );
  },
});

/** `skywire release`: maintainers' tools. */
export const releaseCommand: Command = {
  name: "release",
  summary: "make release keys and signed manifests (maintainers)",
  subcommands: [keygenCommand, manifestCommand, signCommand, verifyCommand],
};
