import { type ByteStream, writeAll } from "../conn/mod.ts";
import { createLogger, type Logger } from "../log/mod.ts";
import { GobDecoder, type GobDecoderOptions } from "./decoder.ts";
import { GobEncoder } from "./encoder.ts";
import type { GobType } from "./go_type.ts";
import { GobMessageReader } from "./message_reader.ts";
import type { GobTypeRegistry } from "./registry.ts";
import { closeQuietly } from "./rpc_client.ts";
import { RpcInvalidRequest, RpcRequestHeader, RpcResponseHeader } from "./rpc_header.ts";

/** What a handler learns about the call besides its argument. */
export interface RpcCallContext {
  /** "Service.Method" as the client sent it. */
  serviceMethod: string;
  /** Aborted when the server closes the connection or it breaks. */
  signal: AbortSignal;
}

/** One method: its argument and reply types and the code that answers it. */
export interface RpcMethod<A, R> {
  /** The Go type of the argument. */
  argsType: GobType<A>;
  /** The Go type of the reply. */
  replyType: GobType<R>;
  /** Produce the reply; a throw becomes the response's `Error` text (the error's message). */
  handler(args: A, context: RpcCallContext): R | Promise<R>;
}

/** Build an {@linkcode RpcMethod} with its types inferred. */
export function rpcMethod<A, R>(
  argsType: GobType<A>,
  replyType: GobType<R>,
  handler: (args: A, context: RpcCallContext) => R | Promise<R>,
): RpcMethod<A, R> {
  return { argsType, replyType, handler };
}

/** Options for {@linkcode RpcServer}. */
export interface RpcServerOptions extends GobDecoderOptions {
  /** Calls one connection may have running at once; reading waits for a slot. Default 64. */
  maxConcurrentCalls?: number;
  /** Type ids for replies, shared by all connections; default a fresh table per connection. */
  registry?: GobTypeRegistry;
  /** Where dropped connections are reported. Default: a `gob_rpc` logger on stderr. */
  logger?: Logger;
}

/** A method of any argument and reply types, as services hold them. */
// deno-lint-ignore no-explicit-any
export type AnyRpcMethod = RpcMethod<any, any>;

interface Connection {
  stream: ByteStream;
  encoder: GobEncoder;
  abort: AbortController;
  running: Set<Promise<void>>;
  writing: Promise<void>;
  slotFreed?: () => void;
}

/**
 * A Go net/rpc server (gob codec). Each connection is served by {@linkcode serve}: requests are
 * read in order, handlers run concurrently, and replies go out in completion order, as Go's
 * `ServeConn` does. Unknown services and methods get Go's error texts.
 */
export class RpcServer {
  readonly #services = new Map<string, Map<string, AnyRpcMethod>>();
  readonly #connections = new Set<Connection>();
  readonly #serving = new Set<Promise<void>>();
  readonly #options: RpcServerOptions;
  readonly #maxCalls: number;
  readonly #log: Logger;

  /** Create a server with no services. */
  constructor(options: RpcServerOptions = {}) {
    this.#options = options;
    this.#maxCalls = options.maxConcurrentCalls ?? 64;
    this.#log = options.logger ?? createLogger({ component: "gob_rpc" });
  }

  /** Publish `methods` under `serviceName` (calls address them as "serviceName.Method"). */
  register(serviceName: string, methods: Record<string, AnyRpcMethod>): void {
    if (this.#services.has(serviceName)) {
      throw new Error(`rpc: service already defined: ${serviceName}`);
    }
    if (serviceName === "" || serviceName.includes(".")) {
      throw new Error(`rpc: bad service name ${JSON.stringify(serviceName)}`);
    }
    this.#services.set(serviceName, new Map(Object.entries(methods)));
  }

  /**
   * Serve requests on `stream` until the peer hangs up or sends bytes that cannot be read;
   * then wait for running calls to reply and close the stream. Never rejects.
   */
  serve(stream: ByteStream): Promise<void> {
    const conn: Connection = {
      stream,
      encoder: new GobEncoder({ registry: this.#options.registry }),
      abort: new AbortController(),
      running: new Set(),
      writing: Promise.resolve(),
    };
    this.#connections.add(conn);
    const done = this.#serveConnection(conn);
    this.#serving.add(done);
    done.finally(() => this.#serving.delete(done));
    return done;
  }

  /** Close every connection being served and wait until they are released. */
  async close(): Promise<void> {
    for (const conn of this.#connections) {
      conn.abort.abort();
      closeQuietly(conn.stream);
    }
    await Promise.all([...this.#serving]);
  }

  async #serveConnection(conn: Connection): Promise<void> {
    try {
      await this.#readRequests(conn);
    } catch (e) {
      if (!conn.abort.signal.aborted) {
        this.#log.warn("dropping rpc connection", { error: (e as Error).message ?? String(e) });
      }
    }
    await Promise.all([...conn.running]);
    await conn.writing;
    closeQuietly(conn.stream);
    this.#connections.delete(conn);
  }

  async #readRequests(conn: Connection): Promise<void> {
    const reader = new GobMessageReader(conn.stream, this.#options);
    const decoder = new GobDecoder(this.#options);
    for (;;) {
      // Take a call slot before reading the request it is for.
      while (conn.running.size >= this.#maxCalls) {
        await new Promise<void>((resolve) => conn.slotFreed = resolve);
      }
      const head = await reader.nextValue(decoder);
      if (head === null) return;
      let header: RpcRequestHeader;
      try {
        header = decoder.decodeValue(RpcRequestHeader, head);
      } catch (e) {
        throw new Error(`rpc: server cannot decode request: ${(e as Error).message}`);
      }
      const found = this.#lookup(header.ServiceMethod);
      const body = await reader.nextValue(decoder);
      if (body === null) return;
      if (typeof found === "string") {
        this.#reply(conn, header, found);
        continue;
      }
      let args: unknown;
      try {
        args = decoder.decodeValue(found.argsType, body);
      } catch (e) {
        this.#reply(conn, header, (e as Error).message);
        continue;
      }
      const run = this.#run(conn, header, found, args);
      conn.running.add(run);
      run.finally(() => {
        conn.running.delete(run);
        conn.slotFreed?.();
        conn.slotFreed = undefined;
      });
    }
  }

  // The method, or Go's error text for a request it cannot be routed to.
  #lookup(serviceMethod: string): AnyRpcMethod | string {
    const dot = serviceMethod.lastIndexOf(".");
    if (dot < 0) return `rpc: service/method request ill-formed: ${serviceMethod}`;
    const service = this.#services.get(serviceMethod.slice(0, dot));
    if (!service) return `rpc: can't find service ${serviceMethod}`;
    return service.get(serviceMethod.slice(dot + 1)) ?? `rpc: can't find method ${serviceMethod}`;
  }

  async #run(conn: Connection, header: RpcRequestHeader, method: AnyRpcMethod, args: unknown) {
    let reply: unknown;
    try {
      reply = await method.handler(args, {
        serviceMethod: header.ServiceMethod,
        signal: conn.abort.signal,
      });
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      this.#reply(conn, header, text || "rpc: call failed");
      return;
    }
    this.#reply(conn, header, "", { type: method.replyType, value: reply });
  }

  // Encode and queue one response; an error reply carries struct{}{} as Go's does.
  #reply(
    conn: Connection,
    request: RpcRequestHeader,
    error: string,
    body?: { type: GobType<unknown>; value: unknown },
  ): void {
    const header = (text: string) => ({
      type: RpcResponseHeader,
      value: { ServiceMethod: request.ServiceMethod, Seq: request.Seq, Error: text },
    });
    const invalid = { type: RpcInvalidRequest, value: {} };
    let bytes: Uint8Array;
    try {
      bytes = conn.encoder.encodeSequence(body ? [header(""), body] : [header(error), invalid]);
    } catch (e) {
      // A reply that does not fit its type: tell the caller instead of breaking the stream.
      bytes = conn.encoder.encodeSequence([header((e as Error).message), invalid]);
    }
    conn.writing = conn.writing.then(async () => {
      if (conn.abort.signal.aborted) return;
      try {
        await writeAll(conn.stream, bytes);
      } catch (e) {
        this.#log.debug("rpc reply not delivered", { error: (e as Error).message });
        conn.abort.abort();
        closeQuietly(conn.stream);
      }
    });
  }
}
