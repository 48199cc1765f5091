/**
 * Network failures name their cause and address: a real refused connection, a name that never
 * resolves and a taken port, plus the runtime's other wordings.
 */
import { assert, assertEquals, assertInstanceOf } from "@std/assert";
import { fetchFailureText, listenError } from "../../../mod/netutil/mod.ts";
import { freePort } from "../../_util/ports.ts";

Deno.test("fetchFailureText: a refused connection says so, with the URL", async () => {
  const url = `http://127.0.0.1:${freePort()}`;
  const error = await fetch(`${url}/dmsg-discovery/entry/x`).then(() => undefined, (e) => e);
  assertEquals(fetchFailureText(error, url), `connection refused at ${url}`);
});

Deno.test("fetchFailureText: a name that does not resolve", async () => {
  // `.invalid` never resolves (RFC 2606).
  const url = "http://skywire-test.invalid";
  const error = await fetch(url).then(() => undefined, (e) => e);
  assertEquals(fetchFailureText(error, url), `cannot resolve host at ${url}`);
});

Deno.test("fetchFailureText: other wordings, and the innermost cause when unknown", () => {
  const wrapped = (message: string) =>
    new TypeError("fetch failed", { cause: new Error(`error sending request: ${message}`) });
  const url = "http://a:1";
  assertEquals(
    fetchFailureText(wrapped("Connection reset by peer"), url),
    `connection reset at ${url}`,
  );
  assertEquals(fetchFailureText(wrapped("operation timed out"), url), `timed out at ${url}`);
  assertEquals(
    fetchFailureText(wrapped("No route to host (os error 113)"), url),
    `no route to host at ${url}`,
  );
  assertEquals(fetchFailureText(wrapped("invalid peer certificate"), url), `TLS failure at ${url}`);
  assertEquals(
    fetchFailureText(wrapped("something new (os error 7)"), url),
    `error sending request: something new at ${url}`,
  );
  assertEquals(fetchFailureText("plain", url), `plain at ${url}`);
});

Deno.test("listenError: a taken port names the address and keeps the error class", () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const addr = `127.0.0.1:${(taken.addr as Deno.NetAddr).port}`;
  let error: unknown;
  try {
    Deno.listen({ hostname: "127.0.0.1", port: (taken.addr as Deno.NetAddr).port });
  } catch (e) {
    error = listenError(e, addr);
  }
  assertInstanceOf(error, Deno.errors.AddrInUse);
  assertEquals(error.message, `cannot listen on ${addr}: address already in use`);
  assertInstanceOf(error.cause, Deno.errors.AddrInUse);
  assert(listenError("odd", "x:1").message === "cannot listen on x:1: odd");
});
