import { go, type GoValue } from "./go_type.ts";

/** net/rpc's `rpc.Request` header, sent before each call's argument. */
export const RpcRequestHeader = go.struct("rpc.Request", {
  ServiceMethod: go.string,
  Seq: go.uint64,
});
/** Value of {@linkcode RpcRequestHeader}. */
export type RpcRequestHeader = GoValue<typeof RpcRequestHeader>;

/** net/rpc's `rpc.Response` header, sent before each reply. */
export const RpcResponseHeader = go.struct("rpc.Response", {
  ServiceMethod: go.string,
  Seq: go.uint64,
  Error: go.string,
});
/** Value of {@linkcode RpcResponseHeader}. */
export type RpcResponseHeader = GoValue<typeof RpcResponseHeader>;

/** The `struct{}{}` body net/rpc sends in place of a reply when `Error` is set. */
export const RpcInvalidRequest = go.struct("", {});

/** Go's `rpc.ErrShutdown` text. */
export const ERR_SHUTDOWN = "connection is shut down";
/** Go's `io.ErrUnexpectedEOF` text, which pending calls get when the server hangs up. */
export const ERR_UNEXPECTED_EOF = "unexpected EOF";
