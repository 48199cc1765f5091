// The bundle on aarch64: run dist/skywire.bundle.js with the aarch64 Deno runtime under
// qemu-user, print --version, start `up` on free ports, fetch the visor's /health over dmsg
// (with this x86 Deno, as a client on another machine would) and stop `up` with SIGINT.
// Usage: deno run -A .ci/aarch64_check.ts AARCH64_DENO BUNDLE
// Exits 0 when every part worked; prints how long each part took under emulation.

const [aarch64Deno, bundle] = Deno.args;
if (!aarch64Deno || !bundle) {
  console.error("usage: aarch64_check.ts AARCH64_DENO BUNDLE");
  Deno.exit(2);
}
// The aarch64 glibc that Debian's libc6-arm64-cross installs; qemu loads the runtime's
// dynamic libraries from there.
const SYSROOT = "/usr/aarch64-linux-gnu";
const decoder = new TextDecoder();
const work = await Deno.makeTempDir({ prefix: "skywire-aarch64-" });

function emulated(args: string[]): Deno.Command {
  return new Deno.Command("qemu-aarch64", {
    args: [aarch64Deno, "run", "-A", "--unstable-kv", bundle, ...args],
    cwd: work,
    env: { QEMU_LD_PREFIX: SYSROOT, DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** The first stdout line starting with "{", or an error once `ms` pass or stdout ends. */
async function firstJsonLine(child: Deno.ChildProcess, ms: number): Promise<string> {
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no JSON line from up within ${ms} ms`)), ms);
  });
  const reading = (async () => {
    let buffered = "";
    for (;;) {
      const { done, value } = await lines.read();
      if (done) throw new Error("up ended its output before printing its addresses");
      buffered += value;
      const line = buffered.split("\n").find((l) => l.startsWith("{") && l.endsWith("}"));
      if (line) return line;
    }
  })();
  try {
    return await Promise.race([reading, timeout]);
  } finally {
    clearTimeout(timer);
    reading.catch(() => {});
    lines.releaseLock();
    child.stdout.cancel().catch(() => {});
  }
}

let ok = false;
let up: Deno.ChildProcess | undefined;
let upLog: Promise<string> | undefined;
try {
  let started = performance.now();
  const version = await emulated(["--version"]).output();
  const versionText = decoder.decode(version.stdout).trim();
  console.log(`--version (${seconds(started)}): ${versionText}`);
  if (version.code !== 0 || !/aarch64-unknown-linux-gnu/.test(versionText)) {
    throw new Error(`--version failed: ${decoder.decode(version.stderr)}`);
  }

  started = performance.now();
  up = emulated([
    "up",
    "--data",
    `${work}/data`,
    "--json",
    "--discovery-port",
    "0",
    "--server-port",
    "0",
  ]).spawn();
  upLog = new Response(up.stderr).text();
  const info = JSON.parse(await firstJsonLine(up, 240_000));
  console.log(
    `up ready (${seconds(started)}): visor ${info.visor.pk}, discovery ${info.discovery}`,
  );

  // dmsg's 5 s stream-handshake limit is set for real hardware; the first streams into a cold,
  // emulated process can exceed it while its code is still being compiled. A few tries.
  started = performance.now();
  let health: { status?: number; body?: { pk?: string } } | undefined;
  for (let attempt = 1; health === undefined; attempt++) {
    const curl = await new Deno.Command(Deno.execPath(), {
      args: [
        ...["run", "-A", "--unstable-kv", bundle],
        ...["dmsg", "curl", "--json", "-d", info.discovery, info.health_url],
      ],
      cwd: work,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    const answer = decoder.decode(curl.stdout);
    if (curl.code === 0) {
      health = JSON.parse(answer);
      if (health?.body?.pk !== info.visor.pk) throw new Error(`unexpected /health: ${answer}`);
    } else {
      const reason = decoder.decode(curl.stderr).trim();
      if (attempt === 5) throw new Error(`dmsg curl failed ${attempt} times: ${reason}`);
      console.log(`dmsg curl attempt ${attempt} failed (${seconds(started)}): ${reason}`);
    }
  }
  console.log(`/health over dmsg (${seconds(started)}): status ${health.status}, pk matches`);

  started = performance.now();
  up.kill("SIGINT");
  const stopped = await Promise.race([
    up.status,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 60_000)),
  ]);
  if (stopped === null) throw new Error("up did not stop within 60 s of SIGINT");
  console.log(`up stopped on SIGINT (${seconds(started)}): exit ${stopped.code}`);
  up = undefined;
  if (stopped.code !== 0) throw new Error(`up exited ${stopped.code}`);
  ok = true;
} catch (error) {
  console.error(`aarch64 check failed: ${error instanceof Error ? error.message : error}`);
} finally {
  if (up) {
    try {
      up.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await up.status;
  }
  if (!ok && upLog) console.error(`up's log:\n${(await upLog).split("\n").slice(-30).join("\n")}`);
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
Deno.exit(ok ? 0 : 1);
