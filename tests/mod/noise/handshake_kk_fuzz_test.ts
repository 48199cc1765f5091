// Fuzz: KK messages (dmsg streams) from the reading side; see _handshake_fuzz.ts.
import { fuzzHandshakeMessage } from "./_handshake_fuzz.ts";

Deno.test("fuzz: KK message 1 as responder rejects bad input with NoiseHandshakeError", () => {
  fuzzHandshakeMessage("KK", 0, 0x5eed_0004);
});
Deno.test("fuzz: KK message 2 as initiator rejects bad input with NoiseHandshakeError", () => {
  fuzzHandshakeMessage("KK", 1, 0x5eed_0005);
});
