import type {
  APP_SPEC,
  CONFIG_SCHEMA,
  DMSG_SERVER_ENTRY_SPEC,
  HYPERVISOR_SPEC,
  STORE_SPEC,
  UPDATER_SPEC,
} from "./schema.ts";
import type { Infer } from "./spec.ts";

// Derived from the schema, never written out by hand: a field changes in schema.ts only.

/** `skywire-config.json` after {@linkcode parseConfig}, with Skywire's field names. */
export type SkywireConfig = Infer<typeof CONFIG_SCHEMA>;
/** A launcher app entry (`launcher.apps[]`). */
export type AppConfig = Infer<typeof APP_SPEC>;
/** A dmsg server known up front (`dmsg.servers[]`), in discovery-entry form. */
export type DmsgServerEntryConfig = Infer<typeof DMSG_SERVER_ENTRY_SPEC>;
/** Our updater section. */
export type UpdaterConfig = Infer<typeof UPDATER_SPEC>;
/** Our store section. */
export type StoreConfig = Infer<typeof STORE_SPEC>;
/** Hypervisor (web UI) section. */
export type HypervisorConfig = Infer<typeof HYPERVISOR_SPEC>;
