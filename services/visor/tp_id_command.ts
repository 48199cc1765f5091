import { makeTransportId, PubKey } from "../../mod/cipher/mod.ts";
import {
  type Command,
  defineCommand,
  jsonFlag,
  oneOfValue,
  UsageError,
  valueFlag,
} from "../../mod/cli/mod.ts";

const TYPES = ["stcpr", "sudph", "stcp", "dmsg", "squicr", "ws", "wt", "webrtc"] as const;

/** `skywire cli tp id PK1 PK2 -t TYPE`: print the deterministic transport id. */
export const tpIdCommand: Command = defineCommand({
  name: "id",
  summary: "print the deterministic transport id of two public keys and a type",
  usage: "[flags] PK1 PK2",
  args: { min: 2, max: 2 },
  flags: {
    type: valueFlag({
      short: "t",
      valueName: "TYPE",
      description: `transport type (${TYPES.join(", ")})`,
      parse: oneOfValue(TYPES),
      default: "stcpr",
    }),
    json: jsonFlag(),
  },
  run: ({ args, flags, out }) => {
    const keys = args.map((text, i) => {
      try {
        return PubKey.fromHex(text);
      } catch (error) {
        throw new UsageError(`PK${i + 1}: ${(error as Error).message}`);
      }
    });
    const { type } = flags;
    const id = makeTransportId(keys[0], keys[1], type);
    out(flags.json ? JSON.stringify({ id, type, edges: keys.map((k) => k.hex()).sort() }) : id);
  },
});
