import { REFRESH_JITTER } from "./constants.ts";

/** `ms` moved by up to ±`share` of itself at random (refresh timers out of step). */
export function jittered(ms: number, share = REFRESH_JITTER): number {
  return Math.max(1, Math.round(ms * (1 + share * (2 * Math.random() - 1))));
}
