/**
 * Ports for tests that must name a port before anything listens on it: a config, a child
 * process, a restart on the same port, a port that should refuse.
 *
 * Binding `port: 0` and closing hands the port back to the kernel's ephemeral pool, where the next
 * `port: 0` bind or outgoing connection of a test file running in parallel can take it (it
 * happened: a 500-cycle test lost its SOCKS port mid-run). Ports below the ephemeral range are
 * never handed out that way, so those are picked here, at random, checked free by a bind, and never
 * twice in one process.
 *
 * @module
 */

const given = new Set<number>();

/** The first port of the kernel's ephemeral range (32768 when it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(
      Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range").split(/\s+/)[0],
    );
    return Number.isInteger(low) && low > 12_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const LOW = 10_000;
const HIGH = ephemeralLow();

/** A loopback TCP port that is free now and outside the kernel's ephemeral range. */
export function freePort(hostname = "127.0.0.1"): number {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (given.has(port)) continue;
    try {
      Deno.listen({ hostname, port }).close();
    } catch {
      continue;
    }
    given.add(port);
    return port;
  }
  throw new Error(`no free port in ${LOW}-${HIGH - 1} after 200 tries`);
}
