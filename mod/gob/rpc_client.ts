import { type ByteStream, writeAll } from "../conn/mod.ts";
import { GobDecoder, type GobDecoderOptions } from "./decoder.ts";
import { GobEncoder } from "./encoder.ts";
import { GobError, RpcError } from "./errors.ts";
import type { GobType } from "./go_type.ts";
import { GobMessageReader } from "./message_reader.ts";
import type { GobTypeRegistry } from "./registry.ts";
import {
  ERR_SHUTDOWN,
  ERR_UNEXPECTED_EOF,
  RpcRequestHeader,
  RpcResponseHeader,
} from "./rpc_header.ts";

/** Options for {@linkcode RpcClient}. */
export interface RpcClientOptions extends GobDecoderOptions {
  /** Type ids for what we send; default a fresh table for this connection. */
  registry?: GobTypeRegistry;
}

/** One call: the argument, its description, and the description of the reply. */
export interface RpcCall<A, R> {
  /** The argument value. */
  args: A;
  /** Its Go type. */
  argsType: GobType<A>;
  /** The Go type of the reply. */
  replyType: GobType<R>;
  /** Gives up waiting (the server may still run the call). */
  signal?: AbortSignal;
}

interface PendingCall {
  replyType: GobType<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * A Go net/rpc client (gob codec) over one byte stream. Calls may overlap; each gets the
 * next sequence number (from 0) and is matched to its reply by it. A server error comes back
 * as {@linkcode RpcError} (`server`) with the server's text; when the connection ends every
 * pending call fails (`unexpected EOF`, or `connection is shut down` after {@linkcode close}).
 */
export class RpcClient {
  readonly #stream: ByteStream;
  readonly #encoder: GobEncoder;
  readonly #decoder: GobDecoder;
  readonly #reader: GobMessageReader;
  readonly #pending = new Map<bigint, PendingCall>();
  #seq = 0n;
  #closing = false;
  #shutdown = false;
  #writing: Promise<void> = Promise.resolve();
  readonly #done: Promise<void>;

  /** Start a client on `stream`; it owns the stream from now on. */
  constructor(stream: ByteStream, options: RpcClientOptions = {}) {
    this.#stream = stream;
    this.#encoder = new GobEncoder({ registry: options.registry });
    this.#decoder = new GobDecoder(options);
    this.#reader = new GobMessageReader(stream, options);
    this.#done = this.#readLoop();
  }

  /** Resolves when the client has shut down (closed, or the connection ended). */
  get closed(): Promise<void> {
    return this.#done;
  }

  /**
   * Call `serviceMethod` ("Service.Method"). Rejects with {@linkcode RpcError}, or with
   * {@linkcode GobError} if `args` does not fit `argsType` (nothing is sent then).
   */
  call<A, R>(serviceMethod: string, call: RpcCall<A, R>): Promise<R> {
    if (this.#closing || this.#shutdown) {
      return Promise.reject(new RpcError(ERR_SHUTDOWN, "shutdown"));
    }
    if (call.signal?.aborted) return Promise.reject(new RpcError("call aborted", "aborted"));
    const seq = this.#seq++;
    let bytes: Uint8Array;
    try {
      bytes = this.#encoder.encodeSequence([
        { type: RpcRequestHeader, value: { ServiceMethod: serviceMethod, Seq: seq } },
        { type: call.argsType, value: call.args },
      ]);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<R>((resolve, reject) => {
      const signal = call.signal;
      const onAbort = () => {
        if (this.#pending.get(seq) !== entry) return;
        this.#pending.delete(seq);
        reject(new RpcError("call aborted", "aborted"));
      };
      const entry: PendingCall = {
        replyType: call.replyType,
        resolve: (value) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(value as R);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      this.#pending.set(seq, entry);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#write(bytes);
    });
  }

  /** Close the connection; pending calls fail with `connection is shut down`. */
  async close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      closeQuietly(this.#stream);
    }
    await this.#done;
    await this.#writing;
  }

  // Requests go out whole and in call order.
  #write(bytes: Uint8Array): void {
    this.#writing = this.#writing.then(async () => {
      if (this.#shutdown) return;
      try {
        await writeAll(this.#stream, bytes);
      } catch {
        // A broken connection: the read side ends too and fails every pending call.
        closeQuietly(this.#stream);
      }
    });
  }

  async #readLoop(): Promise<void> {
    let failure: RpcError;
    try {
      for (;;) {
        const head = await this.#reader.nextValue(this.#decoder);
        if (head === null) throw new GobError(ERR_UNEXPECTED_EOF, "eof");
        const header = this.#decoder.decodeValue(RpcResponseHeader, head);
        const body = await this.#reader.nextValue(this.#decoder);
        if (body === null) throw new GobError(ERR_UNEXPECTED_EOF, "eof");
        const entry = this.#pending.get(header.Seq);
        // No caller (aborted, or a reply we never asked for): the body is dropped.
        if (!entry) continue;
        this.#pending.delete(header.Seq);
        if (header.Error !== "") {
          entry.reject(new RpcError(header.Error, "server"));
          continue;
        }
        try {
          entry.resolve(this.#decoder.decodeValue(entry.replyType, body));
        } catch (e) {
          entry.reject(new RpcError(`reading body ${(e as Error).message}`, "reply"));
        }
      }
    } catch (e) {
      const message = e instanceof GobError && e.code === "eof"
        ? ERR_UNEXPECTED_EOF
        : (e as Error).message ?? String(e);
      failure = this.#closing
        ? new RpcError(ERR_SHUTDOWN, "shutdown")
        : new RpcError(message, "connection");
    }
    this.#shutdown = true;
    closeQuietly(this.#stream);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of pending) entry.reject(failure);
  }
}

/** Close a stream that may already be closed. */
export function closeQuietly(stream: ByteStream): void {
  try {
    stream.close();
  } catch {
    // Already closed.
  }
}
