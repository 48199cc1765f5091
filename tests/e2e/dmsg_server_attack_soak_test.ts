/**
 * Issue 9's goal for the dmsg server, as a soak: three rounds of the attack mix (1,000 slowloris
 * sockets, 2,000 half handshakes, one client's 2,048 silent streams and 1,000 streams pushing
 * 256 KiB toward a silent destination), each held while a legitimate `skywire dmsg curl` runs
 * against a `skywire dmsg server start` child. Every curl succeeds, the server's descriptors come
 * back to their baseline after each round, and its peak RSS stays under 200 MB. Timings are
 * printed here and measured in tests/bench/dmsg_attack_bench.ts.
 */
import { assert, assertEquals } from "@std/assert";
import { attackRound, curl, memoryMiB, openFds, settledFds, startTarget } from "./_dmsg_attack.ts";

const ROUNDS = 3;
const RSS_LIMIT_MIB = 200;

Deno.test({
  name: `dmsg server: ${ROUNDS} rounds of the attack mix; curl works, fds and RSS stay bounded`,
  ignore: Deno.build.os !== "linux",
  async fn() {
    await using target = await startTarget();
    const pid = target.server.pid;
    // Idle: the host's session, the listener, the discovery connection. One curl comes and
    // goes first; every round must end where it did.
    const baseline = await openFds(pid);
    const warm = await curl(target);
    assertEquals(warm.code, 0, warm.stderr);
    await settledFds(pid, baseline + 1);
    for (let round = 1; round <= ROUNDS; round++) {
      const result = await attackRound(target);
      assertEquals(result.curlCode, 0, result.curlStderr);
      assertEquals(result.curlStdout, '{"hello":"dmsg"}');
      const after = await settledFds(pid, baseline + 1);
      console.log(
        `round ${round}: curl ${result.curlMs.toFixed(0)} ms, RSS ${
          result.rssMiB.toFixed(0)
        } MiB,` +
          ` fds ${result.fdsUnderAttack} under attack, ${after} after (baseline ${baseline}),` +
          ` ${result.refusedSockets} attack sockets closed by the server`,
      );
    }
    const { peak } = await memoryMiB(pid);
    console.log(`peak RSS ${peak.toFixed(0)} MiB (warm curl ${warm.ms.toFixed(0)} ms)`);
    assert(peak < RSS_LIMIT_MIB, `peak RSS ${peak.toFixed(0)} MiB`);
  },
});
