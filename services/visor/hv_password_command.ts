import { join } from "node:path";
import {
  booleanFlag,
  type Command,
  configFlag,
  defineCommand,
  stringFlag,
  UsageError,
} from "../../mod/cli/mod.ts";
import { DEFAULT_CONFIG_FILE, loadNodeConfig } from "../../mod/config/mod.ts";
import { createLogger } from "../../mod/log/mod.ts";
import { openStore } from "../../mod/store/mod.ts";
import { PasswordRejectedError, setPassword } from "../../ui/mod.ts";
import { VISOR_STORE_FILE } from "./visor.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();
// A password line is short; more than this on stdin is not one.
const MAX_STDIN_BYTES = 64 * 1024;

async function readStdinLine(): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of Deno.stdin.readable) {
    chunks.push(chunk);
    total += chunk.length;
    if (total > MAX_STDIN_BYTES) throw new UsageError("stdin: want one line with the password");
    if (chunk.includes(10)) break;
  }
  const text = decoder.decode(new Uint8Array(chunks.flatMap((c) => [...c])));
  return text.split("\n")[0].replace(/\r$/, "");
}

/** Read a line from a terminal without echoing it. */
function promptHidden(question: string): string {
  Deno.stderr.writeSync(encoder.encode(question));
  Deno.stdin.setRaw(true);
  const bytes: number[] = [];
  try {
    const buffer = new Uint8Array(1);
    for (;;) {
      const n = Deno.stdin.readSync(buffer);
      if (n === null || buffer[0] === 13 || buffer[0] === 10) break;
      if (buffer[0] === 3) throw new Error("interrupted");
      if (buffer[0] === 127 || buffer[0] === 8) bytes.pop();
      else bytes.push(buffer[0]);
    }
  } finally {
    Deno.stdin.setRaw(false);
    Deno.stderr.writeSync(encoder.encode("\n"));
  }
  return decoder.decode(new Uint8Array(bytes));
}

/** `skywire cli visor hv password`: set the web UI's password in the visor's store. */
export const hvPasswordCommand: Command = defineCommand({
  name: "password",
  summary: "set the password of the node's web UI",
  usage: "[flags]",
  description:
    "Stores the password (scrypt-hashed) in the visor's store, <local_path>/visor.kv, where\n" +
    "the web UI reads it; a running node ends the sessions logged in with the old one. The\n" +
    "password is read from stdin (one line), asked for on a terminal without echo, or taken\n" +
    "from --password (visible to other users in the process list: avoid on shared machines).\n" +
    "For 'skywire up', pass --local-path .skywire-up/visor.",
  flags: {
    config: configFlag({ default: DEFAULT_CONFIG_FILE }),
    "local-path": stringFlag({
      valueName: "DIR",
      description: "the visor's state directory (instead of the config's local_path)",
    }),
    password: stringFlag({ valueName: "TEXT", description: "the new password" }),
    stdin: booleanFlag({ description: "read the password from stdin even on a terminal" }),
  },
  run: async ({ flags, err }) => {
    const localPath = flags["local-path"] ??
      (await loadNodeConfig(flags.config)).config.local_path;
    let password = flags.password;
    if (password === undefined) {
      if (Deno.stdin.isTerminal() && !flags.stdin) {
        password = promptHidden("New web UI password: ");
        if (promptHidden("Repeat it: ") !== password) throw new UsageError("the passwords differ");
      } else {
        password = await readStdinLine();
      }
    }
    const path = join(localPath, VISOR_STORE_FILE);
    const store = await openStore({ path, logger: createLogger({ component: "store" }) });
    try {
      await setPassword(store.kv, password);
    } catch (error) {
      if (error instanceof PasswordRejectedError) throw new UsageError(error.message);
      throw error;
    } finally {
      store.close();
    }
    err(`web UI password set (${path}); sessions logged in before it are ended`);
    return 0;
  },
});
