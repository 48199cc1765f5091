/**
 * `skywire cli visor app ...` and `skywire cli visor proxy ...`: a running visor's apps through
 * its control endpoint, with Go skywire-cli's names and tables (`app ls|start|stop|log`,
 * `proxy start|stop|status`). `--json` prints JSON on one line instead.
 *
 * @module
 */
import {
  type Command,
  defineCommand,
  integerValue,
  jsonFlag,
  stringFlag,
  UsageError,
  valueFlag,
} from "../../mod/cli/mod.ts";
import type { AppStateSummary } from "./api_types.ts";
import { VisorApiError } from "./api_types.ts";
import { pkArg, rpcFlag, table } from "./_cli.ts";

/** The proxy client's app name in Go's configs. */
const PROXY_APP = "skysocks-client";
/** Where Go's proxy client listens unless told (`visorconfig.SkysocksClientAddr`). */
const PROXY_ADDR = ":1080";

function nameArg(args: string[]): string {
  const name = args[0];
  if (!name) throw new UsageError("which app? give its name (see 'app ls')");
  return name;
}

/** Apps as Go's `visor app ls` lists them. */
export function appTable(apps: AppStateSummary[]): string {
  return table([
    ["app", "port", "auto_start", "status", "detailed_status"],
    ...apps.map((app) => [
      app.name,
      String(app.port),
      String(app.auto_start),
      app.status,
      app.detailed_status ?? "",
    ]),
  ]);
}

const appLs: Command = defineCommand({
  name: "ls",
  summary: "the visor's apps",
  flags: { rpc: rpcFlag(), json: jsonFlag() },
  run: async ({ flags, out }) => {
    const apps = await flags.rpc.apps.list();
    if (!flags.json) {
      out(appTable(apps));
      return;
    }
    // Go's JSON fields for `app ls`.
    out(JSON.stringify(apps.map((app) => ({
      app: app.name,
      port: app.port,
      auto_start: app.auto_start,
      status: app.status,
      detailed_status: app.detailed_status ?? "",
    }))));
  },
});

/** `app start` / `app stop`: one call on the named app, answered "OK" or its state as JSON. */
function appStateCommand(name: "start" | "stop", summary: string): Command {
  return defineCommand({
    name,
    summary,
    usage: "[flags] NAME",
    args: { min: 1, max: 1 },
    flags: { rpc: rpcFlag(), json: jsonFlag() },
    run: async ({ args, flags, out }) => {
      const state = await flags.rpc.apps[name](nameArg(args));
      out(flags.json ? JSON.stringify(state) : "OK");
    },
  });
}

const appStart = appStateCommand("start", "start an app and wait until it runs");
const appStop = appStateCommand("stop", "stop an app");

const appLog: Command = defineCommand({
  name: "log",
  summary: "an app's newest log lines",
  usage: "[flags] NAME",
  args: { min: 1, max: 1 },
  flags: {
    lines: valueFlag({
      short: "n",
      valueName: "N",
      description: "how many of the newest lines",
      parse: integerValue(1, 5_000),
      default: 100,
      defaultText: "100",
    }),
    rpc: rpcFlag(),
    json: jsonFlag(),
  },
  run: async ({ args, flags, out }) => {
    const lines = await flags.rpc.apps.log(nameArg(args), flags.lines);
    if (flags.json) {
      out(JSON.stringify(lines));
      return;
    }
    out(lines.length ? lines.map((l) => l.line).join("\n") : "no logs");
  },
});

/** `skywire cli visor app`: the visor's apps. */
export const visorAppCommand: Command = {
  name: "app",
  summary: "the visor's apps (launcher.apps, run in the visor process)",
  subcommands: [appLs, appStart, appStop, appLog],
};

interface ProxyInfo {
  server?: string;
  listening?: string;
  session?: { state?: string; reconnects?: number; lastError?: string; lastRttMs?: number };
}

/** `proxy status` as Go lays it out, with the session the client keeps. */
export function proxyStatusText(apps: AppStateSummary[]): string {
  const blocks = apps.map((app) => {
    const info = (app.info ?? {}) as ProxyInfo;
    const lines = [
      `Name: ${app.name}`,
      `Status: ${app.status}`,
      `Server: ${info.server ?? ""}`,
      `Address: ${app.proxy_address ?? info.listening ?? ""}`,
      `AppPort: ${app.port}`,
      `AutoStart: ${app.auto_start}`,
    ];
    if (info.session) {
      lines.push(`Session: ${info.session.state ?? ""}`);
      lines.push(`Reconnects: ${info.session.reconnects ?? 0}`);
      if (info.session.lastError) lines.push(`Last error: ${info.session.lastError}`);
    }
    if (app.status === "errored" && app.detailed_status) {
      lines.push(`Error: ${app.detailed_status}`);
    }
    return lines.join("\n");
  });
  return [
    "---- All Proxy List -----------------------------------------------------",
    "",
    ...blocks.map((b) => b + "\n"),
    "-------------------------------------------------------------------------",
  ].join("\n");
}

/** `-n NAME`: which proxy client app `proxy start` and `proxy stop` act on. */
function proxyNameFlag() {
  return stringFlag({
    short: "n",
    valueName: "NAME",
    description: `the client app (default ${PROXY_APP})`,
  });
}

const proxyStart: Command = defineCommand({
  name: "start",
  summary: "start the proxy client (skysocks-client) to a skysocks server",
  usage: "[flags] [PK]",
  description: "With a server key (--pk or the argument) the client is (re)started with\n" +
    "-srv PK and -addr ADDR; without one it starts with the arguments it has.",
  args: { min: 0, max: 1 },
  flags: {
    pk: stringFlag({ short: "k", valueName: "PK", description: "the skysocks server's visor" }),
    addr: stringFlag({
      short: "a",
      valueName: "ADDR",
      description: `where the SOCKS5 port listens (default ${PROXY_ADDR}, on loopback)`,
    }),
    name: proxyNameFlag(),
    rpc: rpcFlag(),
    json: jsonFlag(),
  },
  run: async ({ args, flags, out, err }) => {
    if (flags.pk !== undefined && args.length > 0) {
      throw new UsageError("give the server key once: as an argument or with --pk");
    }
    const text = flags.pk ?? args[0];
    const pk = text === undefined ? undefined : pkArg(text, "PK");
    const name = flags.name ?? PROXY_APP;
    const apps = flags.rpc.apps;
    // Go stops a running client before it starts it again with the new server.
    await apps.stop(name).catch((error) => {
      if (!(error instanceof VisorApiError && error.status === 404)) throw error;
    });
    const state = await apps.start(
      name,
      pk === undefined ? undefined : ["-srv", pk, "-addr", flags.addr ?? PROXY_ADDR],
    );
    if (flags.json) {
      out(JSON.stringify(state));
      return;
    }
    err("Running!");
    out(
      `SOCKS5 proxy on ${state.proxy_address}; try:\n` +
        `  curl --socks5-hostname ${state.proxy_address} http://status.skysocks/`,
    );
  },
});

const proxyStop: Command = defineCommand({
  name: "stop",
  summary: "stop the proxy client",
  flags: {
    name: proxyNameFlag(),
    rpc: rpcFlag(),
    json: jsonFlag(),
  },
  run: async ({ flags, out }) => {
    const name = flags.name ?? PROXY_APP;
    const state = await flags.rpc.apps.stop(name);
    out(flags.json ? JSON.stringify(state) : `skysocks client ${name} stopped`);
  },
});

const proxyStatus: Command = defineCommand({
  name: "status",
  summary: "the proxy clients and their sessions",
  flags: { rpc: rpcFlag(), json: jsonFlag() },
  run: async ({ flags, out }) => {
    const apps = (await flags.rpc.apps.list()).filter((app) => app.name.startsWith(PROXY_APP));
    if (!flags.json) {
      out(proxyStatusText(apps));
      return;
    }
    out(JSON.stringify(apps.map((app) => {
      const info = (app.info ?? {}) as ProxyInfo;
      return {
        name: app.name,
        status: app.status,
        autostart: app.auto_start,
        app_port: app.port,
        server: info.server ?? null,
        address: app.proxy_address ?? null,
        session: info.session ?? null,
        detailed_status: app.detailed_status ?? "",
      };
    })));
  },
});

/** `skywire cli visor proxy`: the SOCKS5 proxy client. */
export const visorProxyCommand: Command = {
  name: "proxy",
  summary: "the SOCKS5 proxy client (skysocks-client) of the visor",
  subcommands: [proxyStart, proxyStop, proxyStatus],
};
