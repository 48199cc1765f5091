/**
 * Go skywire 2024 visors for the interop tests and the transport bench: `skywire-visor` run
 * from a config that `skywire-cli config gen` writes, driven with `skywire-cli visor ... --rpc`.
 *
 * Binaries come from `SKYWIRE_GO_REF_BIN=/dir` (the Go reference build: skywire 0e7420a5c).
 * Go flags used: `skywire-cli config gen --nofetch --nodefaults -S SERVICES -y -o FILE` (`-y`:
 * public_autoconnect off), `skywire-visor -c FILE` (run in its home directory),
 * `skywire-cli visor tp add|rm|ls`, `skywire-cli visor route add-rule intfwd`, all with
 * `--rpc ADDR` and `--json`. The CLI ignores SIGTERM, so it is killed with SIGKILL on timeout.
 *
 * @module
 */
import { join } from "node:path";
import { generateKeyPair } from "../../mod/cipher/mod.ts";
import { ChildProcess, freePort } from "./_go_ref.ts";

/** The services a Go visor is pointed at. */
export interface GoVisorServices {
  /** dmsg discovery URL. */
  dmsgDiscovery: string;
  /** Transport discovery URL (also the uptime tracker: ours and Go's UT serve `/v4/update`). */
  transportDiscovery: string;
  /** Address resolver URL. */
  addressResolver: string;
  /** Uptime tracker URL (default: the transport discovery; a Go visor waits for one). */
  uptimeTracker?: string;
  /** Route finder URL (default: a free port where nothing answers). */
  routeFinder?: string;
  /** Setup node keys, hex (default: a fresh key nobody holds). */
  routeSetupNodes?: string[];
}

/** Why Go visors cannot run here, or `undefined` when they can. */
export async function goVisorSkip(bin: string | undefined): Promise<string | undefined> {
  if (!bin) return "SKYWIRE_GO_REF_BIN is not set";
  const absent: string[] = [];
  for (const name of ["skywire-visor", "skywire-cli"]) {
    const info = await Deno.stat(join(bin, name)).catch(() => undefined);
    if (!info?.isFile) absent.push(name);
  }
  return absent.length ? `SKYWIRE_GO_REF_BIN=${bin} lacks ${absent.join(", ")}` : undefined;
}

const decoder = new TextDecoder();

/** Run `skywire-cli ARGS`; resolves its exit code and output (stdout then stderr). */
export async function goCli(
  bin: string,
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number; out: string; ms: number }> {
  const started = performance.now();
  const child = new Deno.Command(join(bin, "skywire-cli"), {
    args,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL"); // it ignores SIGTERM
    } catch {
      // already exited
    }
  }, options.timeoutMs ?? 40_000);
  const out = await child.output();
  clearTimeout(timer);
  return {
    code: out.code,
    out: decoder.decode(out.stdout) + decoder.decode(out.stderr),
    ms: performance.now() - started,
  };
}

/** A transport as Go's `tp ls --json` prints it. */
export interface GoTransport {
  type: string;
  id: string;
  remote_pk: string;
  mode: string;
  label: string;
}

/** A running Go visor. */
export class GoVisor implements AsyncDisposable {
  readonly pk: string;
  /** Its `cli_addr`. */
  readonly rpc: string;
  /** Its home (`local_path`, transport logs). */
  readonly home: string;
  readonly process: ChildProcess;
  readonly #bin: string;

  constructor(init: { bin: string; pk: string; rpc: string; home: string; process: ChildProcess }) {
    this.#bin = init.bin;
    this.pk = init.pk;
    this.rpc = init.rpc;
    this.home = init.home;
    this.process = init.process;
  }

  /** `skywire-cli visor ARGS --rpc <this> --json`; the `output` on success, else throws. */
  async cli<T = unknown>(args: string[]): Promise<{ output: T; ms: number }> {
    const result = await goCli(this.#bin, ["visor", ...args, "--rpc", this.rpc, "--json"]);
    const start = result.out.indexOf("{");
    let parsed: { output?: T; error?: string } | undefined;
    try {
      parsed = JSON.parse(result.out.slice(start));
    } catch {
      // not JSON: reported below
    }
    if (result.code !== 0 || !parsed || parsed.error) {
      throw new Error(`skywire-cli visor ${args.join(" ")}: exit ${result.code}: ${result.out}`);
    }
    return { output: parsed.output as T, ms: result.ms };
  }

  /** `tp add -t TYPE PK`: the transport and the CLI's wall time. */
  async addTransport(pk: string, type: string): Promise<{ tp: GoTransport; ms: number }> {
    const { output, ms } = await this.cli<GoTransport[]>([
      "tp",
      "add",
      "-t",
      type,
      pk,
      "-o",
      "20s",
    ]);
    return { tp: output[0], ms };
  }

  /**
   * `visor ping PK -t TRIES` (a loop route from this visor through `pk` and back, set up by
   * the setup node): the latency of each try, ms. Throws with the CLI's output on failure.
   */
  async ping(pk: string, tries: number): Promise<number[]> {
    const result = await goCli(this.#bin, [
      "visor",
      "ping",
      pk,
      "-t",
      String(tries),
      "--rpc",
      this.rpc,
    ]);
    const latencies = [...result.out.matchAll(/Latency: ([\d.]+) ms/g)].map((m) => Number(m[1]));
    if (result.code !== 0 || latencies.length !== tries) {
      throw new Error(`skywire-cli visor ping ${pk}: exit ${result.code}: ${result.out}`);
    }
    return latencies;
  }

  /** `tp ls`. */
  async transports(): Promise<GoTransport[]> {
    return (await this.cli<GoTransport[] | null>(["tp", "ls"])).output ?? [];
  }

  /** `tp rm -a`. */
  async removeAll(): Promise<void> {
    await this.cli(["tp", "rm", "-a"]);
  }

  /**
   * `route add-rule intfwd RID NEXT_RID NEXT_TPID`: Data packets arriving with route id `rid`
   * are forwarded on transport `nextTp` with route id `nextRid` by Go's router.
   */
  async forward(rid: number, nextRid: number, nextTp: string): Promise<void> {
    await this.cli(["route", "add-rule", "intfwd", String(rid), String(nextRid), nextTp]);
  }

  /**
   * The visor's own set-up time of each transport it dialed to `pk` over `type`, ms: from its
   * `Saving transport` to its `Saved transport` debug lines (nanosecond timestamps).
   */
  setupTimes(pk: string, type: string): number[] {
    // Go's RFC3339Nano: `[2026-12-02T03:26:47.195814817Z]`, trailing zeros of the fraction cut.
    const at = (line: string) => {
      const m = line.match(/^\[([^.\]Z]+)(?:\.(\d+))?Z\]/);
      return m ? Date.parse(`${m[1]}Z`) + Number(`0.${m[2] ?? "0"}`) * 1000 : NaN;
    };
    const times: number[] = [];
    let start: number | undefined;
    for (const line of this.process.output.split("\n")) {
      if (line.includes(`Saving transport to ${pk} via ${type}`)) start = at(line);
      else if (start !== undefined && line.includes(`Saved transport to ${pk} via ${type}`)) {
        times.push(at(line) - start);
        start = undefined;
      }
    }
    return times;
  }

  /** Payload bytes received and sent on transport `id` today, from the visor's transport log. */
  async transportLog(id: string): Promise<{ recv: number; sent: number }> {
    const today = new Date().toISOString().slice(0, 10);
    const text = await Deno.readTextFile(join(this.home, "transport_logs", `${today}.csv`))
      .catch(() => "");
    for (const line of text.split("\n")) {
      const [tpId, recv, sent] = line.split(",");
      if (tpId === id) return { recv: Number(recv), sent: Number(sent) };
    }
    return { recv: 0, sent: 0 };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.process[Symbol.asyncDispose]();
  }
}

/**
 * Write a Go visor config in `<dir>/<name>` pointed at `services` (free loopback ports for its
 * RPC, stcp, stcpr, sudph and app server; no apps; debug logs) and start the visor; resolves
 * once it logged `Startup complete`.
 */
export async function startGoVisor(options: {
  bin: string;
  dir: string;
  name: string;
  services: GoVisorServices;
  /** More `skywire-cli config gen` flags, e.g. `-i` for a hypervisor section. */
  genArgs?: string[];
  /** Change the generated config (JSON) before the start, e.g. `routing.min_hops`. */
  // deno-lint-ignore no-explicit-any
  edit?: (conf: any) => void;
}): Promise<GoVisor> {
  const { bin, services } = options;
  const home = join(options.dir, options.name);
  await Deno.mkdir(home, { recursive: true });
  const servicesFile = join(home, "services.json");
  await Deno.writeTextFile(
    servicesFile,
    JSON.stringify({
      prod: {
        dmsg_discovery: services.dmsgDiscovery,
        transport_discovery: services.transportDiscovery,
        address_resolver: services.addressResolver,
        route_finder: services.routeFinder ?? `http://127.0.0.1:${freePort()}`,
        route_setup_nodes: services.routeSetupNodes ?? [generateKeyPair().pk.hex()],
        transport_setup: [],
        uptime_tracker: services.uptimeTracker ?? services.transportDiscovery,
        service_discovery: `http://127.0.0.1:${freePort()}`,
        stun_servers: [],
        dns_server: "127.0.0.1",
        survey_whitelist: [],
      },
    }),
  );
  const file = join(home, "visor.json");
  const gen = await goCli(bin, [
    "config",
    "gen",
    "--nofetch",
    "--nodefaults",
    "-S",
    servicesFile,
    "-y",
    ...(options.genArgs ?? []),
    "-o",
    file,
  ], { cwd: home });
  if (gen.code !== 0) throw new Error(`skywire-cli config gen: ${gen.out}`);
  const conf = JSON.parse(await Deno.readTextFile(file));
  const rpc = `127.0.0.1:${freePort()}`;
  conf.cli_addr = rpc;
  conf.dmsg.sessions_count = 1;
  conf.local_path = join(home, "local");
  conf.log_level = "debug";
  conf.launcher.apps = [];
  conf.launcher.server_addr = `127.0.0.1:${freePort()}`;
  if (conf.dmsghttp_server_path) conf.dmsghttp_server_path = join(home, "custom");
  if (conf.dmsgpty) conf.dmsgpty.cli_address = join(home, "dmsgpty.sock");
  conf["skywire-tcp"].listening_address = `127.0.0.1:${freePort()}`;
  conf.transport.log_store.location = join(home, "transport_logs");
  conf.transport.stcpr_port = freePort();
  conf.transport.sudph_port = freePort();
  options.edit?.(conf);
  await Deno.writeTextFile(file, JSON.stringify(conf));
  const process = new ChildProcess(join(bin, "skywire-visor"), ["-c", file], {
    cwd: home,
    name: `go ${options.name}`,
  });
  const visor = new GoVisor({ bin, pk: conf.pk, rpc, home, process });
  try {
    await process.line(/Startup complete/, 60_000);
  } catch (error) {
    await visor[Symbol.asyncDispose]();
    throw error;
  }
  return visor;
}
