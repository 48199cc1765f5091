// Fuzz: XK messages (dmsg sessions) from the reading side; see _handshake_fuzz.ts.
import { fuzzHandshakeMessage } from "./_handshake_fuzz.ts";

Deno.test("fuzz: XK message 1 as responder rejects bad input with NoiseHandshakeError", () => {
  fuzzHandshakeMessage("XK", 0, 0x5eed_0001);
});
Deno.test("fuzz: XK message 2 as initiator rejects bad input with NoiseHandshakeError", () => {
  fuzzHandshakeMessage("XK", 1, 0x5eed_0002);
});
Deno.test("fuzz: XK message 3 as responder rejects bad input with NoiseHandshakeError", () => {
  fuzzHandshakeMessage("XK", 2, 0x5eed_0003);
});
