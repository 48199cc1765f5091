import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "@std/assert";
import { join } from "node:path";
import {
  ensureTlsCredentials,
  loadTlsCredentials,
  TlsFileError,
  writeSelfSigned,
} from "../../../mod/tls/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { tempDir } from "../../_util/temp_dir.ts";

const HOSTS = ["localhost", "127.0.0.1"];

Deno.test("ensureTlsCredentials makes a self-signed pair once (key 0600), then reuses it", async () => {
  await using dir = await tempDir();
  const logger = captureLogger();
  const options = {
    certFile: join(dir.path, "ssl", "cert.pem"),
    keyFile: join(dir.path, "ssl", "key.pem"),
    selfSignedDir: join(dir.path, "local", "tls"),
    hosts: HOSTS,
    logger,
  };
  const first = await ensureTlsCredentials(options);
  assertEquals(first.certFile, join(options.selfSignedDir, "cert.pem"));
  assertEquals((await Deno.stat(first.keyFile)).mode! & 0o777, 0o600);
  assertEquals((await Deno.stat(options.selfSignedDir)).mode! & 0o077, 0);
  assertMatch(first.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert(logger.lines.some((line) => line.includes(first.fingerprint)), "fingerprint logged");

  const second = await ensureTlsCredentials(options);
  assertEquals(second.fingerprint, first.fingerprint);
  assertEquals(second.key, first.key);
});

Deno.test("ensureTlsCredentials uses the configured pair when both files exist", async () => {
  await using dir = await tempDir();
  const made = await writeSelfSigned({ dir: join(dir.path, "mine"), hosts: HOSTS });
  const got = await ensureTlsCredentials({
    certFile: made.certFile,
    keyFile: made.keyFile,
    selfSignedDir: join(dir.path, "tls"),
    hosts: HOSTS,
  });
  assertEquals(got.fingerprint, made.fingerprint);
  // Nothing was made in the fallback directory.
  await assertRejects(() => Deno.stat(join(dir.path, "tls")), Deno.errors.NotFound);
});

Deno.test("half a pair is an error naming the missing file, and nothing is overwritten", async () => {
  await using dir = await tempDir();
  const made = await writeSelfSigned({ dir: dir.path, hosts: HOSTS });
  await Deno.remove(made.keyFile);
  const before = await Deno.readTextFile(made.certFile);
  const error = await assertRejects(
    () =>
      ensureTlsCredentials({
        certFile: made.certFile,
        keyFile: made.keyFile,
        selfSignedDir: dir.path,
        hosts: HOSTS,
      }),
    TlsFileError,
  );
  assertEquals(error.file, made.keyFile);
  assertStringIncludes(error.message, "give both files, or neither");
  assertEquals(await Deno.readTextFile(made.certFile), before);

  // The same in the self-signed directory itself.
  const own = await assertRejects(
    () =>
      ensureTlsCredentials({
        certFile: join(dir.path, "absent-cert.pem"),
        keyFile: join(dir.path, "absent-key.pem"),
        selfSignedDir: dir.path,
        hosts: HOSTS,
      }),
    TlsFileError,
  );
  assertEquals(own.file, made.keyFile);
  assertEquals(await Deno.readTextFile(made.certFile), before);
});

Deno.test("a path that cannot be checked is reported, not taken as missing", async () => {
  await using dir = await tempDir();
  // A regular file where a directory should be: ENOTDIR, not "not found".
  const plain = join(dir.path, "plain");
  await Deno.writeTextFile(plain, "x");
  const error = await assertRejects(
    () =>
      ensureTlsCredentials({
        certFile: join(plain, "cert.pem"),
        keyFile: join(plain, "key.pem"),
        selfSignedDir: join(dir.path, "tls"),
        hosts: HOSTS,
      }),
    TlsFileError,
  );
  assertEquals(error.file, join(plain, "cert.pem"));
  await assertRejects(() => Deno.stat(join(dir.path, "tls")), Deno.errors.NotFound);
});

Deno.test("loadTlsCredentials names a file that is not PEM, or not there", async () => {
  await using dir = await tempDir();
  const made = await writeSelfSigned({ dir: dir.path, hosts: HOSTS });
  const garbage = join(dir.path, "garbage.pem");
  await Deno.writeTextFile(garbage, "not a certificate\n");
  const badCert = await assertRejects(
    () => loadTlsCredentials({ certFile: garbage, keyFile: made.keyFile }),
    TlsFileError,
  );
  assertEquals(badCert.file, garbage);
  assertStringIncludes(badCert.message, "no PEM certificate");
  // A certificate where the key should be.
  const badKey = await assertRejects(
    () => loadTlsCredentials({ certFile: made.certFile, keyFile: made.certFile }),
    TlsFileError,
  );
  assertStringIncludes(badKey.message, "no PEM private key");
  const missing = await assertRejects(
    () => loadTlsCredentials({ certFile: join(dir.path, "nope.pem"), keyFile: made.keyFile }),
    TlsFileError,
  );
  assertStringIncludes(missing.message, "does not exist");
  // A directory is unreadable as a file.
  const unreadable = await assertRejects(
    () => loadTlsCredentials({ certFile: dir.path, keyFile: made.keyFile }),
    TlsFileError,
  );
  assertStringIncludes(unreadable.message, "cannot read the certificate file");
});

Deno.test("writeSelfSigned refuses to overwrite without force, replaces with it", async () => {
  await using dir = await tempDir();
  const first = await writeSelfSigned({ dir: dir.path, hosts: HOSTS });
  const error = await assertRejects(
    () => writeSelfSigned({ dir: dir.path, hosts: HOSTS }),
    TlsFileError,
  );
  assertStringIncludes(error.message, "not overwritten");
  assertEquals((await loadTlsCredentials(first)).fingerprint, first.fingerprint);
  const second = await writeSelfSigned({ dir: dir.path, hosts: HOSTS, force: true });
  assert(second.fingerprint !== first.fingerprint);
  assertEquals((await Deno.stat(second.keyFile)).mode! & 0o777, 0o600);
});
