import { assert, assertEquals, assertRejects } from "@std/assert";
import { deadline } from "@std/async";
import { writeAll } from "../../../mod/conn/mod.ts";
import {
  encodeHandshakePayload,
  encodePacket,
  MAX_PACKET_PAYLOAD,
  type Packet,
  PacketReader,
  PacketType,
  TruncatedPacketError,
} from "../../../mod/routing/mod.ts";
import { bytes } from "./_helpers.ts";
import { tcpPair } from "../../_util/tcp_pair.ts";

const PACKETS: Packet[] = [
  { type: PacketType.KeepAlive, routeId: 1, payload: new Uint8Array() },
  {
    type: PacketType.Handshake,
    routeId: 0x01020304,
    payload: encodeHandshakePayload({ encrypt: true, capabilities: 3 }),
  },
  { type: PacketType.Data, routeId: 5, payload: new Uint8Array() },
  { type: PacketType.Data, routeId: 0xffffffff, payload: new Uint8Array(300).map((_, i) => i) },
  { type: 200, routeId: 0, payload: bytes("0102030405") },
  { type: PacketType.Close, routeId: 6, payload: bytes("00") },
];
const FRAMES = PACKETS.map(encodePacket);
const STREAM = bytes(...FRAMES);
const ENDS = FRAMES.map((_, i) => FRAMES.slice(0, i + 1).reduce((n, f) => n + f.length, 0));

// The deadline turns a reader that waits for bytes it already has into a failure, not a hang.
async function expectPacket(reader: PacketReader, index: number): Promise<void> {
  const packet = await deadline(reader.next(), 5000);
  assert(packet !== null, `packet ${index} missing`);
  assertEquals(packet.type, PACKETS[index].type);
  assertEquals(packet.routeId, PACKETS[index].routeId);
  assertEquals(packet.payload, PACKETS[index].payload);
  assertEquals(packet.frame, FRAMES[index]);
}

for (const initialBufferSize of [16, 16 * 1024]) {
  Deno.test(
    `PacketReader reads back-to-back packets split at every boundary over TCP (buffer ${initialBufferSize})`,
    async () => {
      const [client, server] = await tcpPair();
      const reader = new PacketReader(server, { initialBufferSize });
      for (let split = 0; split <= STREAM.length; split++) {
        await writeAll(client, STREAM.subarray(0, split));
        // Packets wholly inside the first part must come out before the rest is even sent.
        let next = 0;
        while (next < PACKETS.length && ENDS[next] <= split) await expectPacket(reader, next++);
        await writeAll(client, STREAM.subarray(split));
        while (next < PACKETS.length) await expectPacket(reader, next++);
      }
      client.close();
      assertEquals(await reader.next(), null);
      server.close();
    },
  );
}

Deno.test("PacketReader reads a stream written one byte at a time", async () => {
  const [client, server] = await tcpPair();
  const reader = new PacketReader(server, { initialBufferSize: 8 });
  const writing = (async () => {
    for (let i = 0; i < STREAM.length; i++) await writeAll(client, STREAM.subarray(i, i + 1));
    client.close();
  })();
  for (let i = 0; i < PACKETS.length; i++) await expectPacket(reader, i);
  assertEquals(await reader.next(), null);
  await writing;
  server.close();
});

Deno.test("PacketReader handles largest packets back to back and bursts of small ones", async () => {
  const [client, server] = await tcpPair();
  const big = new Uint8Array(MAX_PACKET_PAYLOAD).map((_, i) => (i * 7) & 0xff);
  const small = new Uint8Array(3).fill(9);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 4; i++) frames.push(encodePacket({ type: 0, routeId: i, payload: big }));
  for (let i = 0; i < 2000; i++) frames.push(encodePacket({ type: 0, routeId: i, payload: small }));
  frames.push(encodePacket({ type: 0, routeId: 99, payload: big }));
  const writing = writeAll(client, bytes(...frames)).then(() => client.close());
  const reader = new PacketReader(server);
  for (const frame of frames) {
    const packet = await reader.next();
    assert(packet !== null);
    assertEquals(packet.frame, frame);
  }
  assertEquals(await reader.next(), null);
  await writing;
  server.close();
});

Deno.test("PacketReader payloads are borrowed until next() unless copy is set", async () => {
  for (const copy of [false, true]) {
    const [client, server] = await tcpPair();
    await writeAll(client, bytes(FRAMES[3], FRAMES[3]));
    client.close();
    const reader = new PacketReader(server, { copy });
    const first = await reader.next();
    const second = await reader.next();
    assert(first !== null && second !== null);
    assertEquals(first.payload.buffer === second.payload.buffer, !copy);
    if (copy) {
      first.payload.fill(0);
      assertEquals(second.payload, PACKETS[3].payload);
    }
    assertEquals(await reader.next(), null);
    server.close();
  }
});

Deno.test("PacketReader throws TruncatedPacketError when the stream ends inside a packet", async () => {
  for (const cut of [1, 6, 7, 8, FRAMES[3].length - 1]) {
    const [client, server] = await tcpPair();
    await writeAll(client, bytes(FRAMES[0], FRAMES[3].subarray(0, cut)));
    client.close();
    const reader = new PacketReader(server);
    await expectPacket(reader, 0);
    const error = await assertRejects(() => reader.next(), TruncatedPacketError);
    assertEquals(error.have, cut);
    server.close();
  }
});
