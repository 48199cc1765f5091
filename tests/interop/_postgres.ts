/**
 * A private, throw-away PostgreSQL for the Go services that need one (Go's transport discovery
 * and route finder share its `transports` table): `initdb` into a temp directory and
 * `postgres` on a free loopback port, both as the `postgres` OS user (PostgreSQL refuses to run
 * as root), trust authentication, no fsync. Needs Debian's `postgresql` (15) and, under root,
 * `setpriv`.
 *
 * @module
 */
import { join } from "node:path";
import { ChildProcess, freePort } from "./_go_ref.ts";

const PG_BIN = "/usr/lib/postgresql/15/bin";

/** A running PostgreSQL. */
export interface Postgres extends AsyncDisposable {
  /** Its TCP port on 127.0.0.1. */
  port: number;
  /** The environment Go's services read their credentials from (`PG_USER`, …). */
  env: Record<string, string>;
}

async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  const out = await new Deno.Command("id", { args: ["postgres"], stdout: "piped", stderr: "null" })
    .output().catch(() => undefined);
  const m = out?.success
    ? new TextDecoder().decode(out.stdout).match(/uid=(\d+).*gid=(\d+)/)
    : null;
  return m ? { uid: Number(m[1]), gid: Number(m[2]) } : undefined;
}

/** Why a PostgreSQL cannot be started here, or `undefined` when it can. */
export async function postgresSkip(): Promise<string | undefined> {
  if (!(await Deno.stat(join(PG_BIN, "initdb")).catch(() => undefined))?.isFile) {
    return `${PG_BIN}/initdb is missing (Debian's postgresql 15)`;
  }
  if (Deno.uid() === 0 && !(await postgresUser())) return "no `postgres` OS user to run it as";
  return undefined;
}

async function run(prefix: string[], args: string[]): Promise<void> {
  const [command, ...rest] = [...prefix, ...args];
  const out = await new Deno.Command(command, { args: rest, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Start one; dispose stops it and removes its files. */
export async function startPostgres(): Promise<Postgres> {
  const dir = await Deno.makeTempDir({ prefix: "skywire-pg-" });
  await Deno.chmod(dir, 0o755);
  let prefix: string[] = [];
  if (Deno.uid() === 0) {
    const user = (await postgresUser())!;
    await Deno.chown(dir, user.uid, user.gid);
    prefix = ["setpriv", `--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", "--"];
  }
  const data = join(dir, "data");
  const port = freePort();
  let server: ChildProcess | undefined;
  try {
    await run(prefix, [
      join(PG_BIN, "initdb"),
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=trust",
      "-E",
      "UTF8",
    ]);
    const [command, ...args] = [
      ...prefix,
      join(PG_BIN, "postgres"),
      "-D",
      data,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `port=${port}`,
      "-c",
      `unix_socket_directories=${dir}`,
      "-c",
      "fsync=off",
    ];
    server = new ChildProcess(command, args, { name: "postgres" });
    await server.line(/ready to accept connections/, 30_000);
  } catch (error) {
    await server?.[Symbol.asyncDispose]();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
  return {
    port,
    env: { PG_USER: "postgres", PG_PASSWORD: "postgres", PG_DATABASE: "postgres" },
    async [Symbol.asyncDispose]() {
      await server[Symbol.asyncDispose]();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
