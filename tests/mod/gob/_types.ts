// The gob descriptions the codec tests encode and decode, from the protocols that own them.
export * from "../../../mod/cipher/gob_types.ts";
export * from "../../../mod/dmsg/gob_types.ts";
export * from "../../../mod/routing/gob_types.ts";
