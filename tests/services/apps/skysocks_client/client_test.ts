import { assert, assertEquals, assertMatch } from "@std/assert";
import { curl, hasCurl } from "../../../_util/curl.ts";
import { sha256Hex, startHttpTarget } from "../../../_util/http_target.ts";
import { seededBytes } from "../../../_util/prng.ts";
import { waitFor } from "../../../mod/dmsg/_harness.ts";
import { skysocksPair } from "../_skysocks_pair.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test({
  name: "skysocks over dmsg: real curl by name, IPv4 and IPv6, and the status page",
  ignore: !hasCurl,
  async fn() {
    await using target = await startHttpTarget();
    await using target6 = await startHttpTarget("::1");
    await using pair = await skysocksPair();
    await waitFor("session", () => pair.client.status().session.state === "up");

    const byName = await curl([
      "--socks5-hostname",
      pair.socks,
      `http://localhost:${target.port}/hello`,
    ]);
    assertEquals(byName.code, 0, byName.stderr);
    assertEquals(text(byName.body), `hello from 127.0.0.1:${target.port}`);
    const v4 = await curl(["--socks5", pair.socks, `http://127.0.0.1:${target.port}/hello`]);
    assertEquals(v4.code, 0, v4.stderr);
    const v6 = await curl(["--socks5-hostname", pair.socks, `http://[::1]:${target6.port}/hello`]);
    assertEquals(v6.code, 0, v6.stderr);
    assertEquals(text(v6.body), `hello from ::1:${target6.port}`);

    const page = await curl(["--socks5-hostname", pair.socks, "http://status.skysocks/"]);
    assertEquals(page.code, 0, page.stderr);
    assertMatch(text(page.body), /skysocks-client: up/);
    assertMatch(text(page.body), new RegExp(pair.exit.pk.hex()));
    const json = await curl(["--socks5-hostname", pair.socks, "http://status.skysocks/json"]);
    const status = JSON.parse(text(json.body));
    assertEquals(status.session.state, "up");
    assertEquals(status.server, pair.exit.pk.hex());
    assert(status.served >= 3);
    assertEquals(target.requests + target6.requests, 3, "the status page never left the client");
  },
});

Deno.test({
  name: "skysocks over dmsg: a passcode is checked by the server, end to end",
  ignore: !hasCurl,
  async fn() {
    await using target = await startHttpTarget();
    await using pair = await skysocksPair({ server: { passcode: "open sesame" } });
    await waitFor("session", () => pair.client.status().session.state === "up");
    const url = `http://127.0.0.1:${target.port}/hello`;
    const inPassword = await curl([
      "--socks5-hostname",
      pair.socks,
      "--proxy-user",
      "anyone:open sesame",
      url,
    ]);
    assertEquals(inPassword.code, 0, inPassword.stderr);
    const wrong = await curl(["--socks5-hostname", pair.socks, "--proxy-user", "a:b", url]);
    assertEquals(wrong.code, 97, wrong.stderr);
    const none = await curl(["--socks5-hostname", pair.socks, url]);
    assertEquals(none.code, 97, none.stderr);
    assertEquals(target.requests, 1);
  },
});

Deno.test({
  name: "skysocks over dmsg: 200 requests and a 50 MB download arrive intact",
  ignore: !hasCurl,
  async fn() {
    await using target = await startHttpTarget();
    await using pair = await skysocksPair();
    await waitFor("session", () => pair.client.status().session.state === "up");
    const size = 50 * 1024 * 1024;
    const big = await curl([
      "--socks5-hostname",
      pair.socks,
      `http://127.0.0.1:${target.port}/bytes/${size}?seed=3`,
    ], 120);
    assertEquals(big.code, 0, big.stderr);
    assertEquals(big.body.length, size);
    assertEquals(await sha256Hex(big.body), await sha256Hex(seededBytes(size, 3)));
    // Four curls at once, 50 URLs each, each URL its own SOCKS connection and yamux stream
    // (no keep-alive).
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) =>
      curl([
        "--socks5-hostname",
        pair.socks,
        "-H",
        "Connection: close",
        ...Array.from({ length: 50 }, () => `http://127.0.0.1:${target.port}/bytes/4096?seed=${i}`),
      ], 120)));
    const one = await sha256Hex(seededBytes(4096, 0));
    for (const [i, result] of results.entries()) {
      assertEquals(result.code, 0, result.stderr);
      assertEquals(result.body.length, 50 * 4096);
      if (i === 0) assertEquals(await sha256Hex(result.body.slice(0, 4096)), one);
    }
    assertEquals(target.requests, 201);
    await waitFor(
      "streams released",
      () => pair.client.stats().connections === 0 && pair.server.stats().connections === 0,
    );
    assert(pair.server.stats().served >= 201, `${pair.server.stats().served} SOCKS connections`);
  },
});
