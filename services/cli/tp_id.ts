import { makeTransportId, PubKey } from "../../mod/cipher/mod.ts";
import { type Command, UsageError } from "./command.ts";

const TYPES = ["stcpr", "sudph", "stcp", "dmsg", "squicr", "ws", "wt", "webrtc"];

/** `skywire cli tp id PK1 PK2 -t TYPE`: print the deterministic transport id. */
export const tpIdCommand: Command = {
  name: "id",
  summary: "print the deterministic transport id of two public keys and a type",
  usage: "[flags] PK1 PK2",
  args: { min: 2, max: 2 },
  flags: [
    {
      name: "type",
      short: "t",
      type: "string",
      valueName: "TYPE",
      description: `transport type (${TYPES.join(", ")})`,
      default: "stcpr",
    },
    { name: "json", type: "boolean", description: "print JSON" },
  ],
  run: ({ args, flags, out }) => {
    const keys = args.map((text, i) => {
      try {
        return PubKey.fromHex(text);
      } catch (error) {
        throw new UsageError(`PK${i + 1}: ${(error as Error).message}`);
      }
    });
    const type = flags.type as string;
    if (!TYPES.includes(type)) throw new UsageError(`unknown transport type "${type}"`);
    const id = makeTransportId(keys[0], keys[1], type);
    out(flags.json ? JSON.stringify({ id, type, edges: keys.map((k) => k.hex()).sort() }) : id);
  },
};
