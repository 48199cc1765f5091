import { type KeyPair, keyPairFromSecKey, SecKey } from "../../../mod/cipher/mod.ts";
import type { ByteStream } from "../../../mod/conn/mod.ts";
import { tcpPair as sharedTcpPair } from "../../_util/tcp_pair.ts";

/** The `transport` and `keys` sections of the Go 2024 vectors. */
export interface TransportVectors {
  transport: {
    frame0: string;
    nonce: string;
    frame1: string;
    frame2_unsigned: string;
    frame2_signed: string;
    frame2_cases: { name: string; line: string; go_result: string }[];
    frame3_ok: string;
    frame3_refused: string;
    frame3_escaped: string;
    entry: { json: string; binary: string };
    signed_entry_initiator: string;
    signed_entry_countersigned: string;
    signed_entry_registered: string;
    signed_entry_dmsg_automatic: string;
    signed_entry_cases: { name: string; line: string; go_result: string }[];
    settlement_results: Record<string, number>;
  };
  keys: Record<string, string>;
}

/** The Go 2024 vectors (see tests/testdata/README.md). */
export const vectors: TransportVectors = JSON.parse(
  await Deno.readTextFile(new URL("../../testdata/go-skywire-2024-vectors.json", import.meta.url)),
);

/** The vectors' initiator (dialer) and responder keys. */
export const goKeys: { initiator: KeyPair; responder: KeyPair } = {
  initiator: keyPairFromSecKey(SecKey.fromHex(vectors.keys.initiator_sk)),
  responder: keyPairFromSecKey(SecKey.fromHex(vectors.keys.responder_sk)),
};

/** Both ends of a real loopback TCP connection, closed together on dispose. */
export interface TcpPair extends AsyncDisposable {
  /** The end that connected. */
  client: Deno.TcpConn;
  /** The end that accepted. */
  server: Deno.TcpConn;
}

/** The shared {@linkcode sharedTcpPair}, named and disposable. */
export async function tcpPair(): Promise<TcpPair> {
  const [client, server] = await sharedTcpPair();
  return {
    client,
    server,
    [Symbol.asyncDispose]() {
      closeQuietly(client);
      closeQuietly(server);
      return Promise.resolve();
    },
  };
}

/** Close, ignoring "already closed". */
export function closeQuietly(stream: { close(): void }): void {
  try {
    stream.close();
  } catch {
    // already closed
  }
}

/** Whether `conn` was closed on our side: reads then fail with BadResource (or end). */
export async function isClosedLocally(conn: Deno.Conn): Promise<boolean> {
  try {
    await conn.read(new Uint8Array(1));
    return false;
  } catch (error) {
    return error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted;
  }
}

/** Read until the peer closes (or `limitMs` passes); resolves to what was read. */
export async function readToEnd(stream: ByteStream, limitMs = 5_000): Promise<Uint8Array> {
  const chunks: number[] = [];
  const buf = new Uint8Array(4096);
  const deadline = Date.now() + limitMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("readToEnd: peer did not close in time");
      const n = await Promise.race([
        stream.read(buf).catch(() => null),
        new Promise<"timeout">((resolve) => timer = setTimeout(() => resolve("timeout"), left)),
      ]);
      clearTimeout(timer);
      if (n === "timeout") throw new Error("readToEnd: peer did not close in time");
      if (n === null) return Uint8Array.from(chunks);
      chunks.push(...buf.subarray(0, n));
    }
  } finally {
    clearTimeout(timer);
  }
}

/** A reader over fixed bytes, handing them out `chunk` bytes at a time (parser tests only). */
export function bytesReader(
  bytes: Uint8Array,
  chunk = bytes.length || 1,
): Pick<ByteStream, "read"> {
  let offset = 0;
  return {
    read(p: Uint8Array) {
      if (offset >= bytes.length) return Promise.resolve(null);
      const n = Math.min(p.length, chunk, bytes.length - offset);
      p.set(bytes.subarray(offset, offset + n));
      offset += n;
      return Promise.resolve(n);
    },
  };
}

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Text of UTF-8 `bytes`. */
export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
