import { go, type StructType } from "./go_type.ts";

/** net/rpc's request header. */
export interface RpcRequestHeader {
  /** "Service.Method". */
  ServiceMethod: string;
  /** The client's sequence number for the call. */
  Seq: bigint;
}
/** net/rpc's `rpc.Request`, sent before each call's argument. */
export const RpcRequestHeader: StructType<RpcRequestHeader> = go.struct("rpc.Request", {
  ServiceMethod: go.string,
  Seq: go.uint64,
});

/** net/rpc's response header. */
export interface RpcResponseHeader extends RpcRequestHeader {
  /** The error text; empty on success. */
  Error: string;
}
/** net/rpc's `rpc.Response`, sent before each reply. */
export const RpcResponseHeader: StructType<RpcResponseHeader> = go.struct("rpc.Response", {
  ServiceMethod: go.string,
  Seq: go.uint64,
  Error: go.string,
});

/** The `struct{}{}` body net/rpc sends in place of a reply when `Error` is set. */
export const RpcInvalidRequest: StructType<Record<string, never>> = go.struct("", {});

/** Go's `rpc.ErrShutdown` text. */
export const ERR_SHUTDOWN = "connection is shut down";
/** Go's `io.ErrUnexpectedEOF` text, which pending calls get when the server hangs up. */
export const ERR_UNEXPECTED_EOF = "unexpected EOF";
