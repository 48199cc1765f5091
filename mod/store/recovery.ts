/** KV key prefix under which recoveries are recorded. */
export const RECOVERY_PREFIX = ["store", "recovery"] as const;

/** A recovery as recorded in the fresh store. */
export interface RecoveryRecord {
  /** When the recovery happened (ISO 8601). */
  time: string;
  /** Why the old file was rejected. */
  reason: string;
  /** The store path that was recovered. */
  path: string;
  /** Where the old file (and its side files) were moved. */
  movedTo: string[];
  /** Records that still read in the old file and were copied into the fresh one. */
  salvaged?: number;
}

/** All recoveries recorded in `kv`, oldest first. */
export async function listRecoveries(kv: Deno.Kv): Promise<RecoveryRecord[]> {
  const out: RecoveryRecord[] = [];
  for await (const entry of kv.list<RecoveryRecord>({ prefix: [...RECOVERY_PREFIX] })) {
    out.push(entry.value);
  }
  return out;
}
