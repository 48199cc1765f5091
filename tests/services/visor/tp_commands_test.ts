/**
 * `skywire cli visor ...` run in this process against visors on a private loopback network:
 * Go's command names and tables, `--json`, misuse (exit 2) and failures (exit 1) in one line.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { makeTransportId } from "../../../mod/cipher/mod.ts";
import { runCommandLine } from "../../../mod/cli/mod.ts";
import { rootCommand } from "../../../services/cli/mod.ts";
import { freePort } from "../../interop/_go_ref.ts";
import { visorNetwork } from "./_visors.ts";

async function skywire(args: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = await runCommandLine(rootCommand(), args, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("skywire cli visor: info, pk and the tp commands, as text and JSON", async () => {
  await using net = await visorNetwork();
  const a = await net.visor();
  const b = await net.visor();
  const rpcA = ["--rpc", a.control!.address];
  const rpcB = ["--rpc", b.control!.address];
  const A = a.pk.hex(), B = b.pk.hex();

  const info = await skywire(["cli", "visor", "info", ...rpcA]);
  assertEquals(info.code, 0, info.err);
  assertMatch(info.out, new RegExp(`^\\.:: Visor Summary ::\\.\nPublic key: "${A}"\n`));
  assertMatch(info.out, /\nTransport Types: dmsg, stcpr\n/);
  const json = JSON.parse((await skywire(["cli", "visor", "info", "--json", ...rpcA])).out);
  assertEquals([json.public_key, json.transport_discovery], [A, net.tpd.url]);
  assertEquals((await skywire(["cli", "visor", "pk", ...rpcB])).out, B);
  assertEquals((await skywire(["cli", "visor", "tp", "type", ...rpcA])).out, "dmsg\nstcpr");
  assertEquals(
    (await skywire(["cli", "visor", "tp", "type", "--json", ...rpcA])).out,
    '["dmsg","stcpr"]',
  );

  // Without -t, Go's order: stcpr first.
  const first = await skywire(["cli", "visor", "tp", "add", B, "-o", "20s", ...rpcA]);
  assertEquals(first.code, 0, first.err);
  assertEquals(first.err, `established stcpr transport to ${B}`);
  const stcprId = makeTransportId(a.pk, b.pk, "stcpr");
  const dmsgId = makeTransportId(a.pk, b.pk, "dmsg");
  assertEquals(
    first.out,
    "type      id                                       remote_pk" +
      "                                                              mode        label     is_up\n" +
      `stcpr     ${stcprId}     ${B}     regular     user      true`,
  );
  const second = await skywire(["cli", "visor", "tp", "add", "-t", "dmsg", "--json", ...rpcA, B]);
  assertEquals(second.code, 0, second.err);
  assertEquals(JSON.parse(second.out).id, dmsgId);

  const ls = await skywire(["cli", "visor", "tp", "ls", ...rpcB]);
  const rows = ls.out.split("\n").map((line) => line.split(/\s+/));
  assertEquals(rows.map((r) => [r[0], r[1], r[2]]), [
    ["type", "id", "remote_pk"],
    ...[["stcpr", stcprId, A], ["dmsg", dmsgId, A]].sort((x, y) => x[1] < y[1] ? -1 : 1),
  ]);
  const onlyDmsg = JSON.parse(
    (await skywire(["cli", "visor", "tp", "ls", "-t", "dmsg", "--json", ...rpcB])).out,
  );
  assertEquals(onlyDmsg.map((tp: { id: string }) => tp.id), [dmsgId]);
  const none = await skywire(["cli", "visor", "tp", "ls", "-p", net.server.pk.hex(), ...rpcB]);
  assertEquals(none.out.split(/\s+/), ["type", "id", "remote_pk", "mode", "label", "is_up"]);
  const one = JSON.parse(
    (await skywire(["cli", "visor", "tp", "id", stcprId, "--json", ...rpcB])).out,
  );
  assertEquals([one.id, one.remote_pk, one.is_up], [stcprId, A, true]);
  assertEquals((await skywire(["cli", "visor", "tp", "id", "-i", dmsgId, ...rpcB])).code, 0);

  const disc = await skywire(["cli", "visor", "tp", "disc", "--pk", A, ...rpcB]);
  assertEquals(disc.out.split("\n")[0].split(/\s+/), ["id", "type", "edge1", "edge2"]);
  assertEquals(disc.out.split("\n").length, 3);
  const byId = JSON.parse(
    (await skywire(["cli", "visor", "tp", "disc", "--id", dmsgId, "--json", ...rpcA])).out,
  );
  assertEquals(byId, [{
    id: dmsgId,
    type: "dmsg",
    edge1: [A, B].sort()[0],
    edge2: [A, B].sort()[1],
    label: "user",
  }]);

  assertEquals((await skywire(["cli", "visor", "tp", "rm", dmsgId, ...rpcA])).out, "OK");
  const gone = await skywire(["cli", "visor", "tp", "rm", "-i", dmsgId, ...rpcA]);
  assertEquals([gone.code, gone.err], [
    1,
    `skywire cli visor tp rm: transport ${dmsgId} not found`,
  ]);
  assertEquals(
    (await skywire(["cli", "visor", "tp", "rm", "-a", "--json", ...rpcA])).out,
    '{"removed":1}',
  );
  assertEquals(a.transports.manager.transports().length, 0);
});

Deno.test("skywire cli visor: misuse exits 2, failures exit 1, each with one line", async () => {
  const rpc = ["--rpc", `127.0.0.1:${freePort()}`];
  const down = await skywire(["cli", "visor", "tp", "ls", ...rpc]);
  assertEquals(down.code, 1);
  assertMatch(
    down.err,
    /^skywire cli visor tp ls: cannot reach the visor: connection refused at http:\/\/127\.0\.0\.1:\d+; is it running\?$/,
  );
  const misuse = [
    ["tp", "rm", ...rpc],
    ["tp", "rm", "-a", crypto.randomUUID(), ...rpc],
    ["tp", "id", "nope", ...rpc],
    ["tp", "add", ...rpc],
    ["tp", "add", "02zz", ...rpc],
    ["tp", "disc", ...rpc],
    ["tp", "disc", "--id", crypto.randomUUID(), "--pk", "02", ...rpc],
    ["tp", "ls", "--rpc", "nowhere"],
    ["tp", "add", "-o", "soon", "02", ...rpc],
  ];
  for (const args of misuse) {
    const result = await skywire(["cli", "visor", ...args]);
    assertEquals(result.code, 2, `${args.join(" ")}: ${result.err}`);
    assertEquals(result.err.split("\n").length, 1, result.err);
    assert(result.err.includes("--help"), result.err);
  }
});
