import { UnexpectedEofError } from "../conn/mod.ts";
import { NoiseError } from "../noise/mod.ts";
import { YamuxError } from "../yamux/mod.ts";
import { DmsgError } from "./errors.ts";

/**
 * Whether `error` is one of the typed failures bad peers and broken networks cause (dmsg,
 * Noise, yamux, a stream ending early, a socket error). Anything else that reaches a relay or
 * responder is a bug on our side, and is logged as such.
 */
export function isExpectedFailure(error: unknown): boolean {
  return error instanceof DmsgError || error instanceof NoiseError ||
    error instanceof YamuxError || error instanceof UnexpectedEofError ||
    error instanceof Deno.errors.ConnectionReset || error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted ||
    error instanceof Deno.errors.ConnectionAborted || error instanceof Deno.errors.NotConnected;
}
