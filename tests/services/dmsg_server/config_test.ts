import { assert, assertEquals, assertThrows } from "@std/assert";
import { generateKeyPair } from "../../../mod/cipher/mod.ts";
import { ConfigError } from "../../../mod/config/mod.ts";
import { DEFAULT_MAX_SESSIONS, DEFAULT_MAX_SESSIONS_PER_ADDRESS } from "../../../mod/dmsg/mod.ts";
import {
  DEFAULT_DISCOVERY_URL,
  generateServerConfig,
  parsePeer,
  parseServerConfig,
  SERVER_LIMITS,
  serverConfigToJson,
  serverOptionsFromConfig,
  withListenAddress,
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
  assertEquals(config.enable_route_setup, false);
  assertEquals(config.log_level, "info");
  assertEquals(serverOptionsFromConfig(config).pk.hex(), keys.pk.hex());
  // No public_address: the server publishes the address it listens on.
  assertEquals(config.public_address, "");
  assertEquals(serverOptionsFromConfig(config).publicAddress, undefined);
});

Deno.test("the server's limits: defaults from mod/dmsg, config fields reach the server options", () => {
  const keys = generateKeyPair();
  const { config } = parseServerConfig(JSON.stringify({ secret_key: keys.sk.hex() }));
  assertEquals(config.max_sessions_per_ip, DEFAULT_MAX_SESSIONS_PER_ADDRESS);
  assertEquals(config.limit_loopback, false);
  for (const [field, limit] of Object.entries(SERVER_LIMITS)) {
    assertEquals(config[field as keyof typeof SERVER_LIMITS], limit.value, field);
  }
  const set = parseServerConfig(JSON.stringify({
    secret_key: keys.sk.hex(),
    max_sessions_per_ip: 0,
    limit_loopback: true,
    max_handshakes: 11,
    max_handshakes_per_ip: 12,
    max_streams_per_session: 13,
    max_relayed_streams: 14,
    max_pending_streams_per_session: 15,
    max_pending_streams: 16,
    max_buffered_bytes_per_session: 1 << 20,
  })).config;
  const options = serverOptionsFromConfig(set);
  assertEquals(
    [
      options.maxSessionsPerAddress,
      options.limitLoopback,
      options.maxHandshakes,
      options.maxHandshakesPerAddress,
      options.maxStreamsPerSession,
      options.maxRelayedStreams,
      options.maxPendingStreamsPerSession,
      options.maxPendingStreams,
      options.maxBufferedBytesPerSession,
    ],
    [0, true, 11, 12, 13, 14, 15, 16, 1 << 20],
  );
  // config gen writes them, so an operator sees what can be set.
  const written = JSON.parse(serverConfigToJson(set));
  assertEquals(written.max_sessions_per_ip, 0);
  assertEquals(written.max_buffered_bytes_per_session, 1 << 20);
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
      [{ ...base, max_sessions_per_ip: -1 }, '"max_sessions_per_ip"'],
      [{ ...base, max_handshakes: 0 }, '"max_handshakes"'],
      [{ ...base, max_handshakes_per_ip: 1.5 }, '"max_handshakes_per_ip"'],
      [{ ...base, max_relayed_streams: 10_000_000 }, '"max_relayed_streams"'],
      [{ ...base, max_buffered_bytes_per_session: 4096 }, '"max_buffered_bytes_per_session"'],
      [{ ...base, limit_loopback: 1 }, '"limit_loopback"'],
      [{ ...base, update_interval: -1 }, '"update_interval"'],
      [{ ...base, peers: {} }, '"peers"'],
      [{ ...base, enable_route_setup: "yes" }, '"enable_route_setup"'],
      [{ ...base, peers: [{ public_key: other.pk.hex() }] }, '"peers[0].address" is missing'],
      [{ ...base, peers: [{ public_key: other.pk.hex(), address: "nowhere" }] }, '"peers[0]"'],
      [{ ...base, discovery: 7 }, '"discovery": want a URL'],
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

Deno.test("withListenAddress: a public address on the old port follows the new one", () => {
  const follow = (local: string, published: string, addr: string) => {
    const config = { ...generateServerConfig(), local_address: local, public_address: published };
    withListenAddress(config, addr);
    assertEquals(config.local_address, addr);
    return config.public_address;
  };
  // config gen's pair (public 127.0.0.1:8081, local :8081) follows --addr, port 0 included.
  assertEquals(follow(":8081", "127.0.0.1:8081", "127.0.0.1:8082"), "127.0.0.1:8082");
  assertEquals(follow(":8081", "127.0.0.1:8081", "127.0.0.1:0"), "127.0.0.1:0");
  assertEquals(follow(":8081", "[2001:db8::1]:8081", "[::]:9000"), "[2001:db8::1]:9000");
  // An address published on another port (a port forward) is the operator's: it stays.
  assertEquals(follow(":8081", "203.0.113.7:30000", "127.0.0.1:8082"), "203.0.113.7:30000");
  // Empty means "where it listens", resolved by the server.
  assertEquals(follow(":8081", "", "127.0.0.1:0"), "");
  assertThrows(() => follow(":8081", "", "nowhere"), TypeError);
});

Deno.test("the discovery of a dmsg server config must be an http(s) URL", () => {
  const keys = generateKeyPair();
  assertThrows(
    () =>
      parseServerConfig(JSON.stringify({ secret_key: keys.sk.hex(), discovery: "127.0.0.1:9090" })),
    ConfigError,
    'config field "discovery": "127.0.0.1:9090" is not a URL: it has no scheme',
  );
});

Deno.test("public_address is empty or host:port", () => {
  const keys = generateKeyPair();
  const parse = (public_address: string) =>
    parseServerConfig(JSON.stringify({ secret_key: keys.sk.hex(), public_address }));
  assertEquals(parse("").config.public_address, "");
  assertEquals(parse("203.0.113.7:0").config.public_address, "203.0.113.7:0");
  assertEquals(parse("[2001:db8::1]:8081").config.public_address, "[2001:db8::1]:8081");
  for (const bad of ["nonsense", ":8081", "host:x", "host:70000"]) {
    assertThrows(() => parse(bad), ConfigError, `config field "public_address"`, bad);
  }
});

Deno.test("enable_route_setup is read and written back", () => {
  const keys = generateKeyPair();
  const { config } = parseServerConfig(
    JSON.stringify({ secret_key: keys.sk.hex(), enable_route_setup: true }),
  );
  assertEquals(config.enable_route_setup, true);
  assertEquals(JSON.parse(serverConfigToJson(config)).enable_route_setup, true);
  // The setup node must be reachable by Go 2024 visors, which dial client entries only.
  assertEquals(serverOptionsFromConfig(config).selfDelegated, true);
});
