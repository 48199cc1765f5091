// Random and mutated /routes bodies: every one gets a typed answer (200, 400 or 404), never a
// throw or a 500, and nothing stays counted as running.
import { assert, assertEquals } from "@std/assert";
import {
  parseTransportLinks,
  RouteFinderService,
  TransportSourceError,
} from "../../../services/route_finder/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { Prng } from "../../_util/prng.ts";
import { MemorySource, pks } from "./_graph.ts";

const TOKENS = ['"', "{", "}", "[", "]", ",", ":", "null", "0", "-1", "1e9", '"Edges"', '"Opts"'];

function mutate(prng: Prng, text: string): string {
  const out = [...text];
  for (let i = 0, n = 1 + prng.int(5); i < n; i++) {
    const at = prng.int(out.length + 1);
    const op = prng.int(4);
    if (op === 0) out.splice(at, 1 + prng.int(8));
    else if (op === 1) out[at] = String.fromCharCode(prng.int(128));
    else if (op === 2) out[at] = prng.pick([..."0123456789abcdef:"]);
    else out.splice(at, 0, prng.pick(TOKENS));
  }
  return out.join("");
}

Deno.test("fuzz: every /routes body gets a typed answer; the search count comes back to 0", async () => {
  const source = new MemorySource();
  const keys = pks(6);
  for (let i = 1; i < keys.length; i++) source.link(keys[i - 1], keys[i]);
  source.link(keys[0], keys[3]);
  const service = new RouteFinderService({ source, logger: captureLogger() });
  const prng = new Prng(0x5eed_0011);
  const seeds = [
    JSON.stringify({
      Edges: [`${keys[0]}:${keys[5]}`, `${keys[5]}:${keys[0]}`],
      Opts: { MinHops: 0, MaxHops: 50 },
    }),
    JSON.stringify({ Edges: [`${keys[2]}:${keys[2]}`], Opts: { MinHops: 0, MaxHops: 2 } }),
    `{"edges":["${keys[1]}:${keys[4]}"],"opts":{"minhops":1,"maxhops":3}}`,
  ];
  const statuses = new Map<number, number>();
  for (let i = 0; i < 3_000; i++) {
    const body = i % 10 === 0
      ? new TextDecoder().decode(prng.bytes(prng.int(300)))
      : mutate(prng, prng.pick(seeds));
    const answer = await service.routes(body);
    assert([200, 400, 404].includes(answer.status), `${answer.status} for ${body}`);
    const parsed = JSON.parse(answer.json);
    if (answer.status !== 200) assertEquals(parsed.error.code, answer.status);
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
  }
  assertEquals(service.running, 0);
  // The mutations reached all three kinds of answer.
  assertEquals([...statuses.keys()].sort(), [200, 400, 404]);
});

Deno.test("fuzz: transport discovery answers parse to well-formed links or a TransportSourceError", () => {
  const keys = pks(3);
  const seed = JSON.stringify([
    { t_id: crypto.randomUUID(), edges: [keys[0], keys[1]], type: "dmsg", label: "user" },
    { t_id: crypto.randomUUID(), edges: [keys[1], keys[2]], type: "stcpr", label: "automatic" },
  ]);
  const prng = new Prng(0x5eed_0012);
  let parsed = 0;
  for (let i = 0; i < 3_000; i++) {
    const text = i % 10 === 0
      ? new TextDecoder().decode(prng.bytes(prng.int(200)))
      : mutate(prng, seed);
    try {
      for (const link of parseTransportLinks(text)) {
        assert(/^[0-9a-f-]{36}$/.test(link.id));
        for (const edge of link.edges) assert(/^[0-9a-f]{66}$/.test(edge));
      }
      parsed++;
    } catch (error) {
      assert(error instanceof TransportSourceError, String(error));
    }
  }
  assert(parsed > 100);
});
