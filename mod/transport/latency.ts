/** Round-trip times measured with transport pings (Go 2026 `LatencyStats`, in ms). */
export interface LatencyStats {
  /** The latest round trip. */
  lastMs: number;
  /** The smallest seen. */
  minMs: number;
  /** The largest seen. */
  maxMs: number;
  /** The mean of all samples. */
  avgMs: number;
  /** How many pongs were measured. */
  samples: number;
}

/** Adds one round trip to `stats` (a fresh record when there is none yet). */
export function addLatencySample(stats: LatencyStats | undefined, rttMs: number): LatencyStats {
  if (!stats) return { lastMs: rttMs, minMs: rttMs, maxMs: rttMs, avgMs: rttMs, samples: 1 };
  const samples = stats.samples + 1;
  return {
    lastMs: rttMs,
    minMs: Math.min(stats.minMs, rttMs),
    maxMs: Math.max(stats.maxMs, rttMs),
    avgMs: stats.avgMs + (rttMs - stats.avgMs) / samples,
    samples,
  };
}
