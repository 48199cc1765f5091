/** What a finished curl run gave. */
export interface CurlResult {
  /** curl's exit code (0 is success; 97 is a SOCKS/proxy handshake failure). */
  code: number;
  /** The body (or whatever curl wrote to stdout). */
  body: Uint8Array<ArrayBuffer>;
  /** curl's error text. */
  stderr: string;
}

/** Whether a `curl` binary is on the PATH (tests that need it skip without). */
export const hasCurl: boolean = (() => {
  try {
    return new Deno.Command("curl", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/**
 * Run the real `curl` with `args` (plus `-sS` and a `--max-time` of `maxTimeSec`, default 30).
 * Never throws for a curl failure: the exit code says what happened.
 */
export async function curl(args: string[], maxTimeSec = 30): Promise<CurlResult> {
  const output = await new Deno.Command("curl", {
    args: ["-sS", "--max-time", String(maxTimeSec), ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  return {
    code: output.code,
    body: new Uint8Array(output.stdout),
    stderr: new TextDecoder().decode(output.stderr).trim(),
  };
}
