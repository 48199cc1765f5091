/** Counters for tests and diagnostics; all are 0 for a closed session. */
export interface SessionStats {
  /** Streams known to the session (open, half-closed, or waiting in the accept queue). */
  streams: number;
  /** Incoming streams waiting for `accept()`. */
  acceptQueue: number;
  /** Streams we opened that the peer has not ACKed yet. */
  inflightOpens: number;
  /** Pings waiting for an answer. */
  pendingPings: number;
  /** Received bytes buffered in all streams. */
  bufferedBytes: number;
  /** Frames waiting in the writer. */
  queuedFrames: number;
  /**
   * Armed timers (keepalive, ping, open and close); write deadlines are kept by one timer for
   * the whole process, released with the last session.
   */
  timers: number;
}
