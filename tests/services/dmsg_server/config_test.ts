import { assert, assertEquals, assertThrows } from "@std/assert";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import { ConfigError } from "../../../mod/config/mod.ts";
import { DEFAULT_MAX_SESSIONS } from "../../../mod/dmsg/mod.ts";
import {
  DEFAULT_DISCOVERY_URL,
  generateServerConfig,
  parsePeer,
  parseServerConfig,
  serverConfigToJson,
  serverOptionsFromConfig,
} from "../../../services/dmsg_server/mod.ts";

Deno.test("a generated dmsg server config parses back unchanged, with no warnings", () => {
  const generated = generateServerConfig();
  const { config, warnings } = parseServerConfig(serverConfigToJson(generated));
  assertEquals(config, generated);
  assertEquals(warnings, []);
});

Deno.test("missing fields take config gen's defaults; the public key comes from the secret", () => {
  const keys = generateKeyPair();
  const { config } = parseServerConfig(JSON.stringify({ secret_key: keys.sk.hex() }));
  assertEquals(config.public_key, keys.pk.hex());
  assertEquals(config.discovery, DEFAULT_DISCOVERY_URL);
  assertEquals(config.local_address, ":8081");
  assertEquals(config.max_sessions, DEFAULT_MAX_SESSIONS);
  assertEquals(config.peers, []);
  assertEquals(config.log_level, "info");
  assertEquals(serverOptionsFromConfig(config).pk.hex(), keys.pk.hex());
});

Deno.test("unknown fields warn; Go's log level names are read in any case", () => {
  const keys = generateKeyPair();
  const { config, warnings } = parseServerConfig(
    JSON.stringify({ secret_key: keys.sk.hex(), log_level: "WARNING", shiny: 1 }),
  );
  assertEquals(config.log_level, "WARNING");
  assertEquals(warnings, ['unknown config field "shiny" (ignored)']);
});

Deno.test("bad dmsg server configs are ConfigErrors naming the field, never the secret", () => {
  const keys = generateKeyPair();
  const other = generateKeyPair();
  const base = { secret_key: keys.sk.hex() };
  for (
    const [raw, message] of [
      [{ secret_key: "zz" }, '"secret_key"'],
      [{}, '"secret_key" is missing'],
      [{ ...base, public_key: other.pk.hex() }, '"public_key" does not belong'],
      [{ ...base, log_level: "loud" }, '"log_level"'],
      [{ ...base, max_sessions: 0 }, '"max_sessions"'],
      [{ ...base, update_interval: -1 }, '"update_interval"'],
      [{ ...base, peers: {} }, '"peers"'],
      [{ ...base, peers: [{ public_key: other.pk.hex() }] }, '"peers[0].address" is missing'],
      [{ ...base, peers: [{ public_key: other.pk.hex(), address: "nowhere" }] }, '"peers[0]"'],
      [{ ...base, discovery: 7 }, '"discovery": want a string'],
    ] as const
  ) {
    const error = assertThrows(() => parseServerConfig(JSON.stringify(raw)), ConfigError, message);
    assert(!error.message.includes(keys.sk.hex()), "secret never in the message");
  }
  assertThrows(() => parseServerConfig("{"), ConfigError, "not valid JSON");
});

Deno.test("parsePeer reads PK@host:port and refuses the rest", () => {
  const keys = generateKeyPair();
  const peer = parsePeer(`${keys.pk.hex()}@127.0.0.1:8081`);
  assertEquals([peer.pk.hex(), peer.address], [keys.pk.hex(), "127.0.0.1:8081"]);
  for (const text of ["nonsense", `${keys.pk.hex()}@nowhere`, `${"00".repeat(33)}@127.0.0.1:1`]) {
    assertThrows(() => parsePeer(text), ConfigError);
  }
});
