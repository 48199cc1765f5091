import { PubKey } from "../../mod/cipher/mod.ts";
import { type Flag, UsageError, valueFlag } from "../../mod/cli/mod.ts";
import type { TransportSummary } from "./api_types.ts";
import { DEFAULT_CLI_ADDR } from "./control_addr.ts";
import { ControlClient } from "./control_client.ts";

// What the `skywire cli visor` commands share: the `--rpc` flag, the client, Go's tables.

/** `--rpc ADDR`: the visor's control address (Go's flag and default). */
export function rpcFlag(): Flag<ControlClient> {
  return valueFlag({
    valueName: "ADDR",
    description: "the visor's control address (its cli_addr)",
    parse: (text, flag) => {
      try {
        return new ControlClient({ addr: text });
      } catch (error) {
        throw new UsageError(`${flag}: ${(error as Error).message}`);
      }
    },
    default: new ControlClient({ addr: DEFAULT_CLI_ADDR }),
    defaultText: DEFAULT_CLI_ADDR,
  });
}

/** A public key argument; misuse names it. */
export function pkArg(text: string, what: string): string {
  try {
    return PubKey.fromHex(text).hex();
  } catch (error) {
    throw new UsageError(`${what}: ${(error as Error).message}`);
  }
}

/**
 * Rows as Go's `tabwriter` (padding 5, spaces) aligns them: every column but the last is
 * padded to its widest cell plus five spaces.
 */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => widths[i] = Math.max(widths[i] ?? 0, cell.length));
  }
  return rows.map((row) =>
    row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i] + 5)).join("")
  ).join("\n");
}

/** Transports as Go's `PrintTransports` lists them (by id), with whether each is up. */
export function transportTable(list: TransportSummary[]): string {
  const sorted = [...list].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return table([
    ["type", "id", "remote_pk", "mode", "label", "is_up"],
    ...sorted.map((tp) => [
      tp.type,
      tp.id,
      tp.remote_pk,
      tp.is_setup ? "setup" : "regular",
      tp.label,
      String(tp.is_up),
    ]),
  ]);
}
