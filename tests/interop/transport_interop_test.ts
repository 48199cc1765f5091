/**
 * Our transport handshakes against Go skywire 2024's own code, both ways, over real TCP: the
 * stcpr network handshake, Noise KK and the settlement, then routing packets. The Go side is
 * tests/interop/go/transportpeer (our program, importing the reference packages), which runs
 * exactly what a Go visor runs for one transport.
 *
 * The Go module proxy refuses skycoin modules, so the program cannot be built here from its
 * go.mod; build it inside a vendored copy of skywire 0e7420a5c and name the binary in
 * SKYWIRE_GO_TRANSPORTPEER_BIN. Without it the tests are registered as ignored, with the reason.
 *
 * Run: `SKYWIRE_GO_TRANSPORTPEER_BIN=/path/transportpeer deno test -A tests/interop/transport_interop_test.ts`
 */
import { assert, assertEquals } from "@std/assert";
import { bytesToHex, generateKeyPair, makeTransportId, type PubKey } from "../../mod/cipher/mod.ts";
import { PacketType } from "../../mod/routing/mod.ts";
import {
  type AddressResolver,
  createStcprNetwork,
  decodeSignedEntry,
  type ResolvedAddress,
  TransportManager,
  verifyEntrySignature,
} from "../../mod/transport/mod.ts";
import { eventually, MemoryRegistry, type Received } from "../mod/transport/_peers.ts";

const binary = Deno.env.get("SKYWIRE_GO_TRANSPORTPEER_BIN");
const skip = binary ? undefined : "SKYWIRE_GO_TRANSPORTPEER_BIN is not set";
if (skip) console.log(`transport interop tests ignored: ${skip}`);

class StaticResolver implements AddressResolver {
  readonly table = new Map<string, ResolvedAddress>();
  bind(): Promise<void> {
    return Promise.resolve();
  }
  resolve(pk: PubKey): Promise<ResolvedAddress> {
    const found = this.table.get(pk.hex());
    return found ? Promise.resolve(found) : Promise.reject(new Error("unknown"));
  }
}

/** The Go program's stdout, line by line. */
class GoPeer {
  readonly child: Deno.ChildProcess;
  readonly lines: string[] = [];
  readonly done: Promise<void>;

  constructor(args: string[]) {
    const child = new Deno.Command(binary!, { args, stdout: "piped", stderr: "piped" }).spawn();
    this.child = child;
    this.done = (async () => {
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let rest = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        rest += value;
        const parts = rest.split("\n");
        rest = parts.pop()!;
        this.lines.push(...parts);
      }
    })();
    this.child.stderr.cancel();
  }

  async line(prefix: string): Promise<string> {
    await eventually(
      () => this.lines.some((line) => line.startsWith(prefix)),
      `Go: ${prefix}`,
      20_000,
    );
    return this.lines.find((line) => line.startsWith(prefix))!;
  }

  async close(): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await this.child.status;
    await this.done;
  }
}

function manager(
  keys: ReturnType<typeof generateKeyPair>,
  resolver: AddressResolver,
  registry: MemoryRegistry,
  got: Received[],
) {
  return new TransportManager({
    keyPair: keys,
    networks: [
      createStcprNetwork({
        keyPair: keys,
        resolver,
        hostname: "127.0.0.1",
        localAddresses: () => [],
      }),
    ],
    registry,
    pingIntervalMs: 0,
    onPacket: (packet, transport) => {
      got.push({
        transport,
        type: packet.type,
        routeId: packet.routeId,
        payload: packet.payload.slice(),
      });
    },
  });
}

Deno.test({
  name: "stcpr: we dial a Go responder; it verifies, countersigns and registers; packets both ways",
  ignore: skip !== undefined,
  async fn() {
    const goKeys = generateKeyPair(), ours = generateKeyPair();
    const go = new GoPeer(["respond", bytesToHex(goKeys.sk.view)]);
    const resolver = new StaticResolver();
    const got: Received[] = [];
    const us = manager(ours, resolver, new MemoryRegistry(), got);
    try {
      const [, addr, pk] = (await go.line("LISTEN ")).split(" ");
      assertEquals(pk, goKeys.pk.hex());
      const [host, port] = addr.split(":");
      resolver.table.set(pk, { remoteAddr: host, isLocal: false, port, addresses: [] });
      await us.start();
      const tp = await us.saveTransport(goKeys.pk, "stcpr");
      assertEquals(tp.id, makeTransportId(ours.pk, goKeys.pk, "stcpr"));
      const settled = decodeSignedEntry(
        new TextEncoder().encode((await go.line("SETTLED ")).slice(8)),
      );
      assertEquals(settled.entry.id, tp.id);
      verifyEntrySignature(settled, ours.pk);
      verifyEntrySignature(settled, goKeys.pk);
      await eventually(() => got.length === 1, "Go's packet");
      assertEquals(new TextDecoder().decode(got[0].payload), "from go");
      assertEquals(got[0].routeId, 7);
      await tp.writePacket({
        type: PacketType.Data,
        routeId: 9,
        payload: new TextEncoder().encode("from ts"),
      });
      assertEquals(
        await go.line("PACKET "),
        `PACKET 0 9 ${bytesToHex(new TextEncoder().encode("from ts"))}`,
      );
      await us.deleteTransport(tp.id);
      await go.line("EOF");
    } finally {
      await us.close();
      await go.close();
    }
  },
});

Deno.test({
  name: "stcpr: a Go initiator dials us; we verify, countersign, register; packets both ways",
  ignore: skip !== undefined,
  async fn() {
    const goKeys = generateKeyPair(), ours = generateKeyPair();
    const registry = new MemoryRegistry();
    const got: Received[] = [];
    const us = manager(ours, new StaticResolver(), registry, got);
    await us.start();
    const port = (us.network("stcpr") as { listenAddr?: Deno.NetAddr }).listenAddr!.port;
    const go = new GoPeer([
      "initiate",
      bytesToHex(goKeys.sk.view),
      ours.pk.hex(),
      `127.0.0.1:${port}`,
    ]);
    try {
      await go.line("SETTLED initiator");
      const id = makeTransportId(ours.pk, goKeys.pk, "stcpr");
      await eventually(() => us.transport(id)?.isUp === true, "our transport");
      const signed = registry.entries.get(id)!;
      verifyEntrySignature(signed, goKeys.pk);
      verifyEntrySignature(signed, ours.pk);
      assertEquals(signed.entry.label, "user");
      await eventually(() => got.length === 1, "Go's packet");
      assertEquals(new TextDecoder().decode(got[0].payload), "from go");
      const tp = us.transport(id)!;
      await tp.writePacket({ type: PacketType.Data, routeId: 3, payload: Uint8Array.of(1, 2, 3) });
      assertEquals(await go.line("PACKET "), "PACKET 0 3 010203");
      assert(tp.counters().recvBytes >= 7);
    } finally {
      await us.close();
      await go.close();
    }
  },
});
