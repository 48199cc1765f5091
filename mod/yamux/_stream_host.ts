import type { Logger } from "../log/mod.ts";
import type { PullSource } from "./_frame_writer.ts";
import type { SessionStream } from "./stream.ts";

/** What a stream needs from its session (kept narrow so streams never see session internals). */
export interface StreamHost {
  /** Receive window per stream. */
  readonly maxWindow: number;
  /** `streamCloseTimeout` in ms; 0 disables. */
  readonly closeTimeout: number;
  /** Optional logger. */
  readonly logger?: Logger;
  /** Queue a header-only frame, fire and forget. */
  post(type: number, flags: number, streamId: number, length: number): void;
  /** Queue a data frame; resolves when written. */
  writeData(streamId: number, flags: number, body: Uint8Array): Promise<void>;
  /** Queue a data frame whose body `source` gives when it is packed (see `splice`). */
  pull(streamId: number, source: PullSource): void;
  /**
   * Run `task` once the frames already read from the connection are handled, before the
   * session waits for more (so a splice moves a whole read's worth of frames at once).
   */
  defer(task: () => void): void;
  /** Bytes waiting unread in a stream grew (or, negative, shrank) by `delta`. */
  buffered(delta: number): void;
  /** The stream is done: remove it from the session. */
  finished(stream: SessionStream): void;
}

/** What a spliced stream tells its splice (see `splice.ts`); `_` methods are for the splice. */
export interface SpliceHooks {
  /** Bytes arrived for `stream`, or its peer's FIN. */
  received(stream: SessionStream): void;
  /** The peer let `stream` send more. */
  windowGrew(stream: SessionStream): void;
  /** `stream` was reset or its session ended. */
  ended(stream: SessionStream, reason: Error): void;
}
