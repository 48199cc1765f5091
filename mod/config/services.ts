/** Public service endpoints of a Skywire deployment. */
export interface ServiceEndpoints {
  /** dmsg discovery URL. */
  dmsgDiscovery: string;
  /** Transport discovery URL. */
  transportDiscovery: string;
  /** Address resolver URL. */
  addressResolver: string;
  /** Route finder URL. */
  routeFinder: string;
  /** Route setup node public keys. */
  routeSetupNodes: string[];
  /** Transport setup public keys. */
  transportSetup: string[];
  /** Uptime tracker URL. */
  uptimeTracker: string;
  /** Service discovery URL. */
  serviceDiscovery: string;
}

/**
 * The deployments Go Skywire's `services-config.json` names (values as published in 2024; they
 * may drift, and can always be overridden in the config file).
 */
export const SERVICES: Record<"prod" | "test", ServiceEndpoints> = {
  prod: {
    dmsgDiscovery: "http://dmsgd.skywire.skycoin.com",
    transportDiscovery: "http://tpd.skywire.skycoin.com",
    addressResolver: "http://ar.skywire.skycoin.com",
    routeFinder: "http://rf.skywire.skycoin.com",
    routeSetupNodes: [
      "0324579f003e6b4048bae2def4365e634d8e0e3054a20fc7af49daf2a179658557",
      "024fbd3997d4260f731b01abcfce60b8967a6d4c6a11d1008812810ea1437ce438",
      "03b87c282f6e9f70d97aeea90b07cf09864a235ef718725632d067873431dd1015",
    ],
    transportSetup: [
      "03530b786c670fc7f5ab9021478c7ec9cd06a03f3ea1416c50c4a8889ef5bba80e",
      "03271c0de223b80400d9bd4b7722b536a245eb6c9c3176781ee41e7bac8f9bad21",
      "03a792e6d960c88c6fb2184ee4f16714c58b55f0746840617a19f7dd6e021699d9",
    ],
    uptimeTracker: "http://ut.skywire.skycoin.com",
    serviceDiscovery: "http://sd.skycoin.com",
  },
  test: {
    dmsgDiscovery: "http://dmsgd.skywire.dev",
    transportDiscovery: "http://tpd.skywire.dev",
    addressResolver: "http://ar.skywire.dev",
    routeFinder: "http://rf.skywire.dev",
    routeSetupNodes: ["026c2a3e92d6253c5abd71a42628db6fca9dd9aa037ab6f4e3a31108558dfd87cf"],
    transportSetup: [
      "03530b786c670fc7f5ab9021478c7ec9cd06a03f3ea1416c50c4a8889ef5bba80e",
      "03271c0de223b80400d9bd4b7722b536a245eb6c9c3176781ee41e7bac8f9bad21",
    ],
    uptimeTracker: "http://ut.skywire.dev",
    serviceDiscovery: "http://sd.skywire.dev",
  },
};
