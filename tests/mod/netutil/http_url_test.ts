/** Service URLs: what a client can fetch passes; each slip gets a reason a user can act on. */
import { assert, assertEquals } from "@std/assert";
import { httpUrlProblem } from "../../../mod/netutil/mod.ts";
import { urlValue, UsageError } from "../../../mod/cli/mod.ts";

Deno.test("httpUrlProblem: http and https URLs with a host pass", () => {
  for (
    const url of [
      "http://127.0.0.1:9090",
      "https://dmsgd.skywire.skycoin.com",
      "HTTP://[::1]:80/",
      "http://localhost:9090/base",
    ]
  ) {
    assertEquals(httpUrlProblem(url), undefined, url);
  }
});

Deno.test("httpUrlProblem: no scheme, another scheme, no host, not a URL", () => {
  const cases: Array<[string, RegExp]> = [
    ["127.0.0.1:9090", /no scheme \(did you mean http:\/\/127\.0\.0\.1:9090\?\)/],
    ["localhost:9090", /no scheme/],
    ["dmsgd.skywire.skycoin.com", /no scheme/],
    ["", /no scheme/],
    ["ftp://example.org", /not an http:\/\/ or https:\/\/ URL/],
    ["dmsg://02ab:80", /not an http:\/\/ or https:\/\/ URL/],
    ["http://", /not a valid URL|no host/],
    ["http://exa mple.org", /not a valid URL/],
  ];
  for (const [text, reason] of cases) {
    const problem = httpUrlProblem(text);
    assert(problem !== undefined && reason.test(problem), `${text}: ${problem}`);
  }
});

Deno.test("urlValue: a bad URL is misuse naming the flag", () => {
  assertEquals(urlValue("http://a", "--discovery"), "http://a");
  try {
    urlValue("a:1", "--discovery");
    throw new Error("accepted");
  } catch (error) {
    assert(error instanceof UsageError);
    assert(error.message.startsWith(`--discovery: "a:1" is not a URL`), error.message);
  }
});
