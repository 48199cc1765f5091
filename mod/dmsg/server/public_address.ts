/**
 * The `host:port` a server publishes in the discovery, given what it was told to publish and
 * the address it is bound to (`host:port`, port as bound): nothing means the bound address
 * itself, and port 0 (`host:0`) means that host with the bound port, so an advertised address
 * never names a port the server is not listening on.
 */
export function publicAddressFor(publicAddress: string | undefined, bound: string): string {
  if (publicAddress === undefined || publicAddress === "") return bound;
  const anyPort = /^(.*):0$/.exec(publicAddress);
  if (!anyPort) return publicAddress;
  return `${anyPort[1]}:${bound.slice(bound.lastIndexOf(":") + 1)}`;
}
