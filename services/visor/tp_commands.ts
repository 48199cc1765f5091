/**
 * `skywire cli visor tp ...`: a running visor's transports through its control endpoint, with
 * Go skywire-cli's names and tables (`tp add|rm|ls|id|disc|type`). `--json` prints the API's
 * JSON on one line instead.
 *
 * @module
 */
import {
  booleanFlag,
  type Command,
  defineCommand,
  durationValue,
  jsonFlag,
  listFlag,
  stringFlag,
  UsageError,
  valueFlag,
} from "../../mod/cli/mod.ts";
import { parseTransportId } from "../../mod/transport/mod.ts";
import type { TransportSummary } from "./api_types.ts";
import { pkArg, rpcFlag, table, transportTable } from "./_cli.ts";

/** The order Go's `tp add` tries types in when none is given. */
const ADD_ORDER = ["stcpr", "sudph", "dmsg", "stcp"];

function idArg(text: string): string {
  try {
    return parseTransportId(text);
  } catch {
    throw new UsageError(`"${text}" is not a transport id (a UUID)`);
  }
}

function oneId(args: string[], flag: string | undefined): string {
  if (flag !== undefined && args.length > 0) {
    throw new UsageError("give the transport id once: as an argument or with -i");
  }
  const text = flag ?? args[0];
  if (text === undefined) throw new UsageError("which transport? give its id");
  return idArg(text);
}

function splitList(values: string[]): string[] {
  return values.flatMap((value) => value.split(",")).map((s) => s.trim()).filter(Boolean);
}

const tpLs: Command = defineCommand({
  name: "ls",
  summary: "the visor's transports",
  flags: {
    types: listFlag({
      short: "t",
      valueName: "TYPE,...",
      description: "only these types (comma-separated or repeated)",
    }),
    pks: listFlag({
      short: "p",
      valueName: "PK,...",
      description: "only transports with these keys (comma-separated or repeated)",
    }),
    rpc: rpcFlag(),
    json: jsonFlag(),
  },
  run: async ({ flags, out }) => {
    const pks = splitList(flags.pks).map((pk) => pkArg(pk, "--pks"));
    const list = await flags.rpc.transports.list({ types: splitList(flags.types), pks });
    out(flags.json ? JSON.stringify(list) : transportTable(list));
  },
});

const tpId: Command = defineCommand({
  name: "id",
  summary: "one transport of the visor, by id",
  usage: "[flags] (TPID | -i TPID)",
  args: { min: 0, max: 1 },
  flags: {
    id: stringFlag({ short: "i", valueName: "TPID", description: "transport id" }),
    rpc: rpcFlag(),
    json: jsonFlag(),
  },
  run: async ({ args, flags, out }) => {
    const tp = await flags.rpc.transports.get(oneId(args, flags.id));
    out(flags.json ? JSON.stringify(tp) : transportTable([tp]));
  },
});

const tpAdd: Command = defineCommand({
  name: "add",
  summary: "make a transport to another visor",
  usage: "[flags] PK",
  description:
    "Dials the visor PK and settles a transport with it (the accepting side registers\n" +
    "it in the transport discovery). Without -t the types are tried in Go's order:\n" +
    `${ADD_ORDER.join(", ")} (those this visor makes). An existing transport is returned as is.`,
  args: { min: 0, max: 1 },
  flags: {
    type: stringFlag({ short: "t", valueName: "TYPE", description: "transport type" }),
    rpk: stringFlag({
      short: "r",
      valueName: "PK",
      description: "remote public key (instead of the argument)",
    }),
    timeout: valueFlag({
      short: "o",
      valueName: "DURATION",
      description: "give up after this long (Go duration, e.g. 20s)",
      parse: durationValue,
    }),
    rpc: rpcFlag(),
    json: jsonFlag(),
  },
  run: async ({ args, flags, out, err }) => {
    const text = flags.rpk ?? args[0];
    if (text === undefined) throw new UsageError("which visor? give its public key");
    if (flags.rpk !== undefined && args.length > 0) {
      throw new UsageError("give the public key once: as an argument or with -r");
    }
    const remote = pkArg(text, "PK");
    const api = flags.rpc.transports;
    const timeout_ms = flags.timeout || undefined;
    let tp: TransportSummary | undefined;
    if (flags.type !== undefined) {
      tp = await api.add({ remote_pk: remote, type: flags.type, timeout_ms });
    } else {
      const offered = await api.types();
      const failures: string[] = [];
      for (const type of ADD_ORDER.filter((t) => offered.includes(t))) {
        try {
          tp = await api.add({ remote_pk: remote, type, timeout_ms });
          break;
        } catch (error) {
          failures.push(`${type}: ${(error as Error).message}`);
          if (!flags.json) err(`no ${type} transport: ${(error as Error).message}`);
        }
      }
      if (!tp) throw new Error(`no transport to ${remote} (${failures.join("; ")})`);
    }
    if (!flags.json) err(`established ${tp.type} transport to ${remote}`);
    out(flags.json ? JSON.stringify(tp) : transportTable([tp]));
  },
});

const tpRm: Command = defineCommand({
  name: "rm",
  summary: "remove transports: one by id, or all with -a",
  usage: "[flags] (TPID | -i TPID | -a)",
  args: { min: 0, max: 1 },
  flags: {
    id: stringFlag({ short: "i", valueName: "TPID", description: "transport id" }),
    all: booleanFlag({ short: "a", description: "remove every transport" }),
    rpc: rpcFlag(),
    json: jsonFlag(),
  },
  run: async ({ args, flags, out }) => {
    let removed: number;
    if (flags.all) {
      if (flags.id !== undefined || args.length > 0) {
        throw new UsageError("-a removes all; give no id with it");
      }
      removed = await flags.rpc.transports.removeAll();
    } else {
      await flags.rpc.transports.remove(oneId(args, flags.id));
      removed = 1;
    }
    out(flags.json ? JSON.stringify({ removed }) : "OK");
  },
});

const tpDisc: Command = defineCommand({
  name: "disc",
  summary: "transports in the transport discovery, by id or by visor",
  usage: "[flags] (--id TPID | --pk PK)",
  flags: {
    id: stringFlag({ short: "i", valueName: "TPID", description: "the transport with this id" }),
    pk: stringFlag({ short: "p", valueName: "PK", description: "the transports of this visor" }),
    rpc: rpcFlag(),
    json: jsonFlag(),
  },
  run: async ({ flags, out }) => {
    if ((flags.id === undefined) === (flags.pk === undefined)) {
      throw new UsageError("give either --id or --pk");
    }
    const entries = await flags.rpc.transports.discover(
      flags.id !== undefined ? { id: idArg(flags.id) } : { pk: pkArg(flags.pk!, "--pk") },
    );
    if (flags.json) return out(JSON.stringify(entries));
    out(table([
      ["id", "type", "edge1", "edge2"],
      ...entries.map((e) => [e.id, e.type, e.edge1, e.edge2]),
    ]));
  },
});

const tpType: Command = defineCommand({
  name: "type",
  summary: "the transport types the visor makes",
  flags: { rpc: rpcFlag(), json: jsonFlag() },
  run: async ({ flags, out }) => {
    const types = await flags.rpc.transports.types();
    out(flags.json ? JSON.stringify(types) : types.join("\n"));
  },
});

/** `skywire cli visor tp`: the visor's transports. */
export const visorTpCommand: Command = {
  name: "tp",
  summary: "view and change the visor's transports",
  description: "Transports are links between two visors (dmsg, stcpr, stcp), each with a\n" +
    "deterministic id. These commands ask the visor at --rpc (its cli_addr).",
  subcommands: [
    tpLs,
    tpAdd,
    tpRm,
    tpId,
    tpDisc,
    tpType,
  ],
};
