/**
 * The byte-stream interface every layer speaks (TCP, Noise, yamux streams, dmsg streams), and
 * small helpers over it. A raw `Deno.TcpConn` has the shape but throws on a second close: wrap
 * it in {@linkcode TcpStream} where it enters our code.
 *
 * @module
 */
export type { ByteStream } from "./byte_stream.ts";
export { readFull, readFullOrEof, writeAll } from "./io.ts";
export { UnexpectedEofError } from "./errors.ts";
export { pipe } from "./pipe.ts";
export { TcpStream } from "./tcp_stream.ts";
export { connectTcp } from "./connect_tcp.ts";
export type { ConnectTcpOptions } from "./connect_tcp.ts";
export { concatBytes, readAllLimited } from "./bytes.ts";
export type { ReadAllLimitedOptions } from "./bytes.ts";
export type { PipeOptions, PipeResult } from "./pipe.ts";
