import { join } from "node:path";
import { writeAll } from "../conn/mod.ts";
import type { Logger } from "../log/mod.ts";
import { TlsFileError } from "./errors.ts";
import { certificateFingerprint, parsePem, PRIVATE_KEY_LABELS } from "./pem.ts";
import { generateSelfSigned } from "./self_signed.ts";
import { certificateValidity } from "./validity.ts";

/** A certificate chain and its key, read and checked, ready for `Deno.listenTls`. */
export interface TlsCredentials {
  /** The certificate chain, PEM (leaf first). */
  cert: string;
  /** The private key, PEM. */
  key: string;
  /** Where the certificate was read from. */
  certFile: string;
  /** Where the key was read from. */
  keyFile: string;
  /** SHA-256 fingerprint of the leaf certificate (`AB:CD:…`). */
  fingerprint: string;
  /** When the leaf certificate stops being valid (absent when its dates cannot be read). */
  notAfter?: Date;
}

/** File names of a self-signed pair kept in a directory. */
export const SELF_SIGNED_CERT_FILE = "cert.pem";
/** File name of the key of a self-signed pair kept in a directory. */
export const SELF_SIGNED_KEY_FILE = "key.pem";

async function readPemFile(file: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new TlsFileError(file, `the ${what} file does not exist`, { cause: error });
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new TlsFileError(file, `cannot read the ${what} file: permission denied`, {
        cause: error,
      });
    }
    throw new TlsFileError(file, `cannot read the ${what} file: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Read a certificate file and a key file and check that each holds what it should (PEM
 * `CERTIFICATE` blocks; one PEM private key). Whether the two belong together is checked when
 * a listener is made from them (`Deno.listenTls` refuses a pair that does not match).
 * Throws {@linkcode TlsFileError} naming the file at fault.
 */
export async function loadTlsCredentials(
  options: { certFile: string; keyFile: string },
): Promise<TlsCredentials> {
  const { certFile, keyFile } = options;
  const cert = await readPemFile(certFile, "certificate");
  const key = await readPemFile(keyFile, "key");
  const certs = parsePem(cert).filter((block) => block.label === "CERTIFICATE");
  if (certs.length === 0) {
    throw new TlsFileError(certFile, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
  if (!parsePem(key).some((block) => PRIVATE_KEY_LABELS.has(block.label))) {
    throw new TlsFileError(keyFile, "holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
  }
  return {
    cert,
    key,
    certFile,
    keyFile,
    fingerprint: await certificateFingerprint(certs[0].der),
    notAfter: certificateValidity(certs[0].der)?.notAfter,
  };
}

/** Whether `file` exists; any other failure than "not found" is a {@linkcode TlsFileError}. */
async function exists(file: string): Promise<boolean> {
  try {
    await Deno.lstat(file);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    const reason = error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : (error as Error).message;
    throw new TlsFileError(file, `cannot tell whether it exists: ${reason}`, { cause: error });
  }
}

/** Options for {@linkcode writeSelfSigned}. */
export interface WriteSelfSignedOptions {
  /** Directory that gets `cert.pem` and `key.pem` (made, mode 0700, when missing). */
  dir: string;
  /** Names and addresses the certificate is for. */
  hosts: readonly string[];
  /** Replace an existing pair (an explicit request, e.g. a CLI `--force`). */
  force?: boolean;
}

/**
 * Make a self-signed pair and write it into `dir`: the key with mode 0600 from its first byte.
 * Without `force` an existing file is never overwritten (`Deno.errors.AlreadyExists` becomes a
 * {@linkcode TlsFileError}); a half-written pair is removed.
 */
export async function writeSelfSigned(options: WriteSelfSignedOptions): Promise<TlsCredentials> {
  const certFile = join(options.dir, SELF_SIGNED_CERT_FILE);
  const keyFile = join(options.dir, SELF_SIGNED_KEY_FILE);
  const pair = await generateSelfSigned({ hosts: options.hosts });
  await Deno.mkdir(options.dir, { recursive: true, mode: 0o700 });
  const write = async (file: string, text: string, mode: number) => {
    if (options.force) await Deno.remove(file).catch(() => {});
    let handle: Deno.FsFile;
    try {
      handle = await Deno.open(file, { write: true, createNew: true, mode });
    } catch (error) {
      const reason = error instanceof Deno.errors.AlreadyExists
        ? "exists already; not overwritten"
        : `cannot write it: ${(error as Error).message}`;
      throw new TlsFileError(file, reason, { cause: error });
    }
    try {
      await writeAll(handle, new TextEncoder().encode(text));
      await handle.sync();
    } finally {
      handle.close();
    }
  };
  await write(keyFile, pair.key, 0o600);
  try {
    await write(certFile, pair.cert, 0o644);
  } catch (error) {
    await Deno.remove(keyFile).catch(() => {});
    throw error;
  }
  return await loadTlsCredentials({ certFile, keyFile });
}

/** Options for {@linkcode findTlsCredentials}. */
export interface FindTlsOptions {
  /** The configured certificate file (empty or absent: none configured). */
  certFile?: string;
  /** The configured key file (empty or absent: none configured). */
  keyFile?: string;
  /** Where the self-signed pair is kept when neither configured file exists. */
  selfSignedDir: string;
}

/** The credentials {@linkcode findTlsCredentials} found, and where. */
export interface FoundTlsCredentials extends TlsCredentials {
  /** Whether they are the self-signed pair in `selfSignedDir` (not configured files). */
  selfSigned: boolean;
}

async function pairState(certFile: string, keyFile: string): Promise<"both" | "neither"> {
  const have = [!!certFile && await exists(certFile), !!keyFile && await exists(keyFile)];
  if (have[0] && have[1]) return "both";
  if (!have[0] && !have[1]) return "neither";
  const [missing, present] = have[0] ? [keyFile, certFile] : [certFile, keyFile];
  throw new TlsFileError(
    missing || "(tls_key_file/tls_cert_file empty)",
    `does not exist, but its pair ${present} does; give both files, or neither ` +
      "(a self-signed pair: remove the one left)",
  );
}

/**
 * The pair a server would use, without making one: the configured files when both exist, else
 * the self-signed pair in `selfSignedDir` when both of its files exist, else `undefined`.
 * Half a pair, or a file that cannot be checked or read, is a {@linkcode TlsFileError}.
 */
export async function findTlsCredentials(
  options: FindTlsOptions,
): Promise<FoundTlsCredentials | undefined> {
  const { certFile = "", keyFile = "" } = options;
  if (await pairState(certFile, keyFile) === "both") {
    return { ...await loadTlsCredentials({ certFile, keyFile }), selfSigned: false };
  }
  const ownCert = join(options.selfSignedDir, SELF_SIGNED_CERT_FILE);
  const ownKey = join(options.selfSignedDir, SELF_SIGNED_KEY_FILE);
  if (await pairState(ownCert, ownKey) === "both") {
    return {
      ...await loadTlsCredentials({ certFile: ownCert, keyFile: ownKey }),
      selfSigned: true,
    };
  }
  return undefined;
}

/** Options for {@linkcode ensureTlsCredentials}. */
export interface EnsureTlsOptions extends FindTlsOptions {
  /**
   * Where a self-signed pair is kept when neither configured file exists (the node's
   * `local_path/tls`): made there once, reused on every later start.
   */
  selfSignedDir: string;
  /** Names and addresses a new self-signed certificate is for. */
  hosts: readonly string[];
  /** Where the choice (and a new certificate's fingerprint) is logged. */
  logger?: Logger;
}

/**
 * The TLS credentials a server should use: the configured pair when both files exist; when
 * neither does, the self-signed pair in `selfSignedDir`, made there on the first start. Only
 * one file of a pair is a mistake to report, never a reason to write over the other. Throws
 * {@linkcode TlsFileError} naming the file.
 */
export async function ensureTlsCredentials(options: EnsureTlsOptions): Promise<TlsCredentials> {
  const { logger } = options;
  const found = await findTlsCredentials(options);
  if (found?.selfSigned) {
    logger?.info("TLS: no configured certificate files; using the self-signed certificate", {
      cert: found.certFile,
      sha256: found.fingerprint,
    });
  }
  if (found) return found;
  const credentials = await writeSelfSigned({ dir: options.selfSignedDir, hosts: options.hosts });
  logger?.warn(
    "TLS: no configured certificate files; made a self-signed certificate " +
      "(browsers warn once; compare this fingerprint with the one they show)",
    {
      tls_cert_file: options.certFile || undefined,
      cert: credentials.certFile,
      key: credentials.keyFile,
      sha256: credentials.fingerprint,
    },
  );
  return credentials;
}
