/**
 * Transport benchmarks, figures and ratios from one run, both visors in this process:
 *
 * - set-up latency p50/p99 of an stcpr transport (TCP connect, network handshake, Noise KK,
 *   settlement) against a bare TCP connect on the same loopback, and of a dmsg transport (a
 *   dmsg stream through a local dmsg server, then the settlement);
 * - packet throughput over an stcpr transport (routing Data packets through `writePacket` to
 *   the peer's packet handler) against the same packets over a bare TCP connection read with a
 *   `PacketReader`.
 *
 * The address resolver is an in-memory table here, so the figures are the transport's own.
 *
 * With `SKYWIRE_GO_REF_BIN` (the Go reference binaries), also the set-up latency between whole
 * visors, ours and Go 2024's, on the services of `skywire up` (`_visor_setup.ts`): ours → ours,
 * Go → Go (timed by the Go visor's own log) and ours → Go, dmsg and stcpr.
 *
 * Run: `deno run -A tests/bench/transport_bench.ts [--json] [MiB, default 64]`
 *
 * @module
 */
import { generateKeyPair, type KeyPair, type PubKey } from "../../mod/cipher/mod.ts";
import { encodePacket, PacketReader, PacketType } from "../../mod/routing/mod.ts";
import {
  type AddressResolver,
  createStcprNetwork,
  DmsgNetwork,
  type ResolvedAddress,
  TransportManager,
  type TransportManager as Manager,
  type TransportNetwork,
} from "../../mod/transport/mod.ts";
import { testNetwork } from "../mod/dmsg/_harness.ts";
import { tcpPair } from "../_util/tcp_pair.ts";
import { visorSetupComparison } from "./_visor_setup.ts";

const SETUPS = 200;
const DMSG_SETUPS = 100;
const PAYLOAD = 8 * 1024;
const MIB = 1024 * 1024;

class MemoryResolver implements AddressResolver {
  readonly table = new Map<string, ResolvedAddress>();
  bind(): Promise<void> {
    return Promise.resolve();
  }
  resolve(pk: PubKey): Promise<ResolvedAddress> {
    const found = this.table.get(pk.hex());
    return found ? Promise.resolve(found) : Promise.reject(new Error("not bound"));
  }
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

interface Pair {
  a: Manager;
  b: Manager;
  bPk: PubKey;
  received: { bytes: number };
  close(): Promise<void>;
}

async function managers(
  network: (keys: KeyPair) => TransportNetwork,
  keys: [KeyPair, KeyPair],
): Promise<Pair> {
  const received = { bytes: 0 };
  const a = new TransportManager({
    keyPair: keys[0],
    networks: [network(keys[0])],
    pingIntervalMs: 0,
  });
  const b = new TransportManager({
    keyPair: keys[1],
    networks: [network(keys[1])],
    pingIntervalMs: 0,
    onPacket: (packet) => {
      received.bytes += packet.payload.length;
    },
  });
  await a.start();
  await b.start();
  return {
    a,
    b,
    bPk: keys[1].pk,
    received,
    async close() {
      await a.close();
      await b.close();
    },
  };
}

async function stcprPair(): Promise<Pair> {
  const resolver = new MemoryResolver();
  const keys: [KeyPair, KeyPair] = [generateKeyPair(), generateKeyPair()];
  const pair = await managers(
    (k) =>
      createStcprNetwork({ keyPair: k, resolver, hostname: "127.0.0.1", localAddresses: () => [] }),
    keys,
  );
  const port = (pair.b.network("stcpr") as { listenAddr?: Deno.NetAddr }).listenAddr!.port;
  resolver.table.set(keys[1].pk.hex(), {
    remoteAddr: "127.0.0.1",
    isLocal: false,
    port: String(port),
    addresses: [],
  });
  return pair;
}

async function setupLatency(pair: Pair, type: string, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const tp = await pair.a.saveTransport(pair.bPk, type);
    samples.push(performance.now() - started);
    await pair.a.deleteTransport(tp.id);
    while (pair.b.transports().length > 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return samples;
}

async function tcpConnectLatency(count: number): Promise<number[]> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const [dialed, accepted] = await Promise.all([
      Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
      listener.accept(),
    ]);
    samples.push(performance.now() - started);
    dialed.close();
    accepted.close();
  }
  return samples;
}

function packetStream(total: number): { packet: Uint8Array; count: number } {
  const payload = new Uint8Array(PAYLOAD).map((_, i) => i % 251);
  return {
    packet: encodePacket({ type: PacketType.Data, routeId: 7, payload }),
    count: Math.ceil(total / PAYLOAD),
  };
}

async function stcprThroughput(total: number): Promise<number> {
  const pair = await stcprPair();
  try {
    const tp = await pair.a.saveTransport(pair.bPk, "stcpr");
    const { packet, count } = packetStream(total);
    const want = count * PAYLOAD;
    const started = performance.now();
    for (let i = 0; i < count; i++) await tp.writePacket(packet);
    while (pair.received.bytes < want) await new Promise((resolve) => setTimeout(resolve, 0));
    return want / MIB / ((performance.now() - started) / 1000);
  } finally {
    await pair.close();
  }
}

async function tcpThroughput(total: number): Promise<number> {
  const [writer, reader] = await tcpPair();
  try {
    const { packet, count } = packetStream(total);
    const want = count * PAYLOAD;
    const started = performance.now();
    const reading = (async () => {
      const packets = new PacketReader(reader);
      let got = 0;
      while (got < want) {
        const next = await packets.next();
        if (!next) throw new Error("tcp ended early");
        got += next.payload.length;
      }
    })();
    for (let i = 0; i < count; i++) {
      let off = 0;
      while (off < packet.length) off += await writer.write(packet.subarray(off));
    }
    await reading;
    return want / MIB / ((performance.now() - started) / 1000);
  } finally {
    writer.close();
    reader.close();
  }
}

async function dmsgSetup(): Promise<number[]> {
  await using net = await testNetwork();
  await net.server();
  const keys: [KeyPair, KeyPair] = [generateKeyPair(), generateKeyPair()];
  const clients = [await net.client({ keys: keys[0] }), await net.client({ keys: keys[1] })];
  await Promise.all(clients.map((client) => client.ready()));
  let i = 0;
  const pair = await managers(() => new DmsgNetwork(clients[i++]), keys);
  try {
    return await setupLatency(pair, "dmsg", DMSG_SETUPS);
  } finally {
    await pair.close();
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Run the benchmarks; `--json` prints one JSON object instead of text. */
export async function main(args: string[] = Deno.args): Promise<void> {
  const json = args.includes("--json");
  const mib = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 64);
  const total = mib * MIB;

  const tcpSetup = await tcpConnectLatency(SETUPS);
  const stcpr = await stcprPair();
  let stcprSetup: number[];
  try {
    stcprSetup = await setupLatency(stcpr, "stcpr", SETUPS);
  } finally {
    await stcpr.close();
  }
  const dmsg = await dmsgSetup();
  const tcpMibS = await tcpThroughput(total);
  const stcprMibS = await stcprThroughput(total);
  const visors = await visorSetupComparison();

  const result = {
    bench: "transport",
    setups: SETUPS,
    setup_tcp_connect_p50_ms: round(percentile(tcpSetup, 0.5)),
    setup_stcpr_p50_ms: round(percentile(stcprSetup, 0.5)),
    setup_stcpr_p99_ms: round(percentile(stcprSetup, 0.99)),
    setup_stcpr_vs_tcp_connect: round(percentile(stcprSetup, 0.5) / percentile(tcpSetup, 0.5)),
    setup_dmsg_p50_ms: round(percentile(dmsg, 0.5)),
    setup_dmsg_p99_ms: round(percentile(dmsg, 0.99)),
    throughput_mib: mib,
    packet_payload_bytes: PAYLOAD,
    throughput_tcp_mib_s: round(tcpMibS),
    throughput_stcpr_mib_s: round(stcprMibS),
    throughput_stcpr_vs_tcp: round(stcprMibS / tcpMibS),
    visor_setup_vs_go: visors ?? null,
  };
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(
    `set-up (${SETUPS}×): stcpr p50 ${result.setup_stcpr_p50_ms} ms, p99 ${result.setup_stcpr_p99_ms} ms; ` +
      `bare TCP connect p50 ${result.setup_tcp_connect_p50_ms} ms (×${result.setup_stcpr_vs_tcp_connect})`,
  );
  console.log(
    `set-up (${DMSG_SETUPS}×): dmsg p50 ${result.setup_dmsg_p50_ms} ms, p99 ${result.setup_dmsg_p99_ms} ms`,
  );
  console.log(
    `throughput (${mib} MiB of ${PAYLOAD}-byte Data packets): stcpr ${result.throughput_stcpr_mib_s} MiB/s, ` +
      `bare TCP ${result.throughput_tcp_mib_s} MiB/s (ratio ${result.throughput_stcpr_vs_tcp})`,
  );
  if (visors) {
    for (const type of ["dmsg", "stcpr"]) {
      const f = visors[type] as Record<string, number>;
      console.log(
        `visor set-up ${type} (${visors.setups}×, p50): ours→ours ${f.ours_to_ours_p50_ms} ms, ` +
          `Go→Go ${f.go_to_go_p50_ms} ms (×${f.ours_vs_go}), ours→Go ${f.ours_to_go_p50_ms} ms; ` +
          `Go CLI wall ${f.go_cli_wall_p50_ms} ms`,
      );
    }
  }
}

if (import.meta.main) await main();
