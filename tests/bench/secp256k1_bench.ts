/**
 * secp256k1 operations per second on each backend (the system's libsecp256k1 over FFI when it
 * opens, the `node:crypto` fast path, `@noble/curves`) and their ratios, measured in the same
 * run: Skywire ECDH, signing, verifying (by recovery), public-key parsing (on-curve check) and
 * public-key derivation. Also node:crypto's own ECDSA
 * verify, which cannot check the recovery id, for reference.
 *
 * Rates are per second of this process's CPU time (user + system), so that other load on a
 * shared machine skews them less; wall-clock rates are reported too. Each figure is the best of
 * three interleaved rounds.
 *
 * Run: `deno run -A --config tests/bench/deno.json tests/bench/secp256k1_bench.ts [--json]`
 *
 * @module
 */
import { createPublicKey, verify } from "node:crypto";
import process from "node:process";
import {
  ecdh,
  generateKeyPair,
  getSecp256k1,
  loadSecp256k1,
  type Secp256k1Backend,
  signPayload,
  verifyPubKeySignedPayload,
} from "../../mod/cipher/mod.ts";
import { openFfiSecp256k1 } from "../../mod/cipher/_secp256k1_ffi.ts";
import { type BenchReport, JSON_MODE, log } from "./_report.ts";

const ROUND_MS = 400;

interface Rate {
  /** Operations per second of CPU time. */
  cpu: number;
  /** Operations per second of wall-clock time. */
  wall: number;
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function rate(op: () => void): Rate {
  op();
  let count = 0;
  const wallStart = performance.now(), cpuStart = cpuMicros();
  while (performance.now() - wallStart < ROUND_MS) {
    for (let i = 0; i < 4; i++) op();
    count += 4;
  }
  const wall = (performance.now() - wallStart) / 1000;
  const cpu = Math.max((cpuMicros() - cpuStart) / 1e6, 1e-6);
  return { cpu: count / cpu, wall: count / wall };
}

function best(a: Rate | undefined, b: Rate): Rate {
  return a === undefined ? b : { cpu: Math.max(a.cpu, b.cpu), wall: Math.max(a.wall, b.wall) };
}

function operations(backend: Secp256k1Backend): Record<string, () => void> {
  const a = generateKeyPair(), b = generateKeyPair();
  const payload = crypto.getRandomValues(new Uint8Array(200));
  const sig = signPayload(payload, a.sk);
  return {
    ecdh: () => ecdh(b.pk, a.sk, backend),
    sign: () => signPayload(payload, a.sk, backend),
    verify: () => verifyPubKeySignedPayload(a.pk, sig, payload, backend),
    parsePubKey: () => backend.isValidPoint(b.pk.view),
    derivePubKey: () => backend.publicKey(a.sk.view),
  };
}

/**
 * Measure each backend there is (libsecp256k1 over FFI when it opens, node:crypto, noble) and
 * print one line per operation with the ratios ffi/node, ffi/noble and node/noble.
 */
export async function main(): Promise<BenchReport> {
  const backends: Secp256k1Backend[] = [await loadSecp256k1("node"), await loadSecp256k1("noble")];
  const ffi = openFfiSecp256k1();
  if (ffi.backend) backends.unshift(ffi.backend);
  else log(`(no ffi backend: ${ffi.reason})`);
  const ops = backends.map(operations);
  const rates: Record<string, Rate | undefined>[] = backends.map(() => ({}));
  for (let round = 0; round < 3; round++) {
    for (const name of Object.keys(ops[0])) {
      for (let i = 0; i < backends.length; i++) {
        rates[i][name] = best(rates[i][name], rate(ops[i][name]));
      }
    }
  }
  // node:crypto's plain ECDSA verify (known key, no recovery id check), for reference only.
  const keys = generateKeyPair();
  const payload = new Uint8Array(200);
  const raw = signPayload(payload, keys.sk).view.subarray(0, 64);
  const spki = new Uint8Array([
    ...[0x30, 0x36, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01],
    ...[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a, 0x03, 0x22, 0x00],
    ...keys.pk.view,
  ]);
  let plain: Rate | undefined;
  for (let round = 0; round < 3; round++) {
    plain = best(
      plain,
      rate(() => {
        const key = createPublicKey({ key: spki as Buffer, format: "der", type: "spki" });
        if (!verify("sha256", payload, { key, dsaEncoding: "ieee-p1363" }, raw)) {
          throw new Error("node:crypto verify failed");
        }
      }),
    );
  }
  const report: BenchReport = { name: "secp256k1", figures: {}, ratios: {} };
  log(`secp256k1 ops per CPU-second (wall-clock in brackets), auto = ${getSecp256k1().name}`);
  for (const name of Object.keys(ops[0])) {
    const cells: string[] = [];
    backends.forEach((backend, i) => {
      const { cpu, wall } = rates[i][name]!;
      report.figures[`${name}_${backend.name}_ops_per_cpu_s`] = Math.round(cpu);
      cells.push(
        `${backend.name} ${cpu.toFixed(0).padStart(6)}/s [${wall.toFixed(0).padStart(6)}]`,
      );
    });
    const cpuOf = (backendName: string) =>
      rates[backends.findIndex((b) => b.name === backendName)]?.[name]?.cpu;
    const ratios: string[] = [];
    for (const [fast, slow] of [["ffi", "node"], ["ffi", "noble"], ["node", "noble"]]) {
      const a = cpuOf(fast), b = cpuOf(slow);
      if (a === undefined || b === undefined) continue;
      report.ratios[`${name}_${fast}_over_${slow}`] = Number((a / b).toFixed(2));
      ratios.push(`${fast}/${slow} ${(a / b).toFixed(2)}x`);
    }
    log(`  ${name.padEnd(13)} ${cells.join("   ")}   ${ratios.join(", ")}`);
  }
  report.figures.plain_node_verify_ops_per_cpu_s = Math.round(plain!.cpu);
  log(
    `  (node:crypto ECDSA verify with the key known, no recovery-id check: ` +
      `${plain!.cpu.toFixed(0)}/s; not strict enough for Skywire on its own)`,
  );
  return report;
}

if (import.meta.main) {
  const report = await main();
  if (JSON_MODE) console.log(JSON.stringify(report));
}
