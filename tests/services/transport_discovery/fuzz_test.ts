import { assertEquals } from "@std/assert";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import { openStore } from "../../../mod/store/mod.ts";
import { decodeEntry, verifyEntrySignature } from "../../../mod/transport/mod.ts";
import { TransportService, TransportStore } from "../../../services/transport_discovery/mod.ts";
import { captureLogger } from "../../_util/capture_logger.ts";
import { Prng } from "../../_util/prng.ts";
import { tempDir } from "../../_util/temp_dir.ts";
import { registerBody, settledEntry } from "./_harness.ts";

const enc = new TextEncoder();
const TOKENS = ['"', "{", "}", "[", "]", ",", ":", "null", "0", '"t_id"', '"edges"', '"entry"'];

function mutate(prng: Prng, input: Uint8Array): Uint8Array {
  // Half the time change only what no signature covers (labels, spacing), so some mutated
  // bodies stay valid and the store sees them.
  if (prng.int(2) === 0) {
    const text = new TextDecoder().decode(input)
      .replace(
        /"label":"[^"]*"/g,
        () => `"label":${JSON.stringify(prng.pick(["", "user", "x<&>", "é"]))}`,
      )
      .replaceAll(",", () => prng.pick([",", " ,", ",\n"]));
    return enc.encode(text);
  }
  const out = Array.from(input);
  for (let i = 0, n = 1 + prng.int(5); i < n; i++) {
    const at = prng.int(out.length + 1);
    const op = prng.int(4);
    if (op === 0) out.splice(at, 1 + prng.int(8));
    else if (op === 1) out[at] = prng.int(256);
    else if (op === 2) out[at] = prng.pick([...enc.encode("0123456789abcdef")]);
    else out.splice(at, 0, ...enc.encode(prng.pick(TOKENS)));
  }
  return Uint8Array.from(out);
}

Deno.test("fuzz: every JSON body the discovery parses gives an answer, never a throw or a bad entry", async () => {
  await using dir = await tempDir("skywire-tpd-fuzz-");
  const store = await openStore({ path: `${dir.path}/tpd.kv` });
  try {
    const clock = { ms: 1_000_000 };
    const service = new TransportService({
      store: new TransportStore(() => store.kv, () => clock.ms, captureLogger()),
      entryTtlMs: 0,
      visorKeepMs: 60_000,
      now: () => clock.ms,
      logger: captureLogger(),
    });
    const a = generateKeyPair();
    const peers = Array.from({ length: 3 }, () => generateKeyPair());
    const good = registerBody(peers.map((p) => settledEntry(a, p)));
    const ids = enc.encode(JSON.stringify(peers.map((p) => settledEntry(a, p).entry.id)));
    const keys = enc.encode(JSON.stringify([a.pk.hex(), peers[0].pk.hex()]));
    const prng = new Prng(0x5eed_7d03);
    const outcomes = new Map<string, number>();
    for (let round = 0; round < 1_000; round++) {
      const kind = prng.pick(["register", "batch", "edges"] as const);
      const seed = kind === "register" ? good : kind === "batch" ? ids : keys;
      const body = round % 5 === 0 ? prng.bytes(prng.int(200)) : mutate(prng, seed);
      const result = kind === "register"
        ? await service.register(a.pk, body)
        : kind === "batch"
        ? await service.deleteBatch(a.pk, body)
        : await service.byEdges(body);
      const key = `${kind} ${result.ok ? "ok" : result.status}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      if (!result.ok) assertEquals(result.status, 400, key);
    }
    console.log(`fuzz outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    // Mutations must sometimes keep a body valid, or the fuzz proves little.
    assertEquals((outcomes.get("register ok") ?? 0) > 0, true);
    // Whatever got stored is a settled entry of a, with both signatures valid.
    for await (
      const item of store.kv.list<{ json: string }>({ prefix: ["transport_discovery", "tp"] })
    ) {
      const entry = decodeEntry(enc.encode(item.value.json));
      assertEquals(entry.edges.some((e) => e.equals(a.pk)), true);
      const original = peers.map((p) => settledEntry(a, p)).find((s) => s.entry.id === entry.id);
      assertEquals(original !== undefined, true, entry.id);
      for (const edge of entry.edges) verifyEntrySignature({ ...original!, entry }, edge);
    }
  } finally {
    store.close();
  }
});
