/**
 * Shell-style environment files such as `/etc/skywire.conf`: `KEY=value`, `KEY="a b"`,
 * `KEY='a,b'`, optional `export`, `#` comments. No variable expansion (values are taken
 * literally); lines that are not assignments are skipped.
 */

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Characters systemd allows in unit names (plus `\` for escapes). */
const UNIT_NAME = /^[A-Za-z0-9:_.@\\-]{1,255}$/;

/** Parse assignments; a later assignment of the same name wins, as in a shell. */
export function parseEnvFile(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  let pos = 0;
  const atLineEnd = () => pos >= text.length || text[pos] === "\n";
  const skipLine = () => {
    while (!atLineEnd()) pos++;
    pos++;
  };
  while (pos < text.length) {
    while (pos < text.length && /[ \t\r\n]/.test(text[pos])) pos++;
    if (pos >= text.length) break;
    if (text[pos] === "#") {
      skipLine();
      continue;
    }
    let start = pos;
    while (!atLineEnd() && !/[=\s]/.test(text[pos])) pos++;
    let name = text.slice(start, pos);
    if (name === "export" && /[ \t]/.test(text[pos] ?? "")) {
      while (/[ \t]/.test(text[pos] ?? "")) pos++;
      start = pos;
      while (!atLineEnd() && !/[=\s]/.test(text[pos])) pos++;
      name = text.slice(start, pos);
    }
    if (text[pos] !== "=" || !NAME.test(name)) {
      skipLine();
      continue;
    }
    pos++;
    let value = "";
    while (pos < text.length && !/[ \t\r\n]/.test(text[pos])) {
      const c = text[pos];
      if (c === "'") {
        const end = text.indexOf("'", pos + 1);
        const stop = end < 0 ? text.length : end;
        value += text.slice(pos + 1, stop);
        pos = stop + 1;
      } else if (c === '"') {
        pos++;
        while (pos < text.length && text[pos] !== '"') {
          if (text[pos] === "\\" && pos + 1 < text.length && /["\\$`\n]/.test(text[pos + 1])) {
            if (text[pos + 1] !== "\n") value += text[pos + 1];
            pos += 2;
          } else {
            value += text[pos++];
          }
        }
        pos++;
      } else if (c === "\\" && pos + 1 < text.length) {
        if (text[pos + 1] !== "\n") value += text[pos + 1];
        pos += 2;
      } else {
        value += c;
        pos++;
      }
    }
    vars.set(name, value);
    // Anything after the value on this line (a comment) is ignored.
    if (pos < text.length) skipLine();
  }
  return vars;
}

/** `RESTART_SERVICES` split into unit names. */
export interface RestartServices {
  /** Valid unit names, in order, without duplicates. */
  units: string[];
  /** Entries that are not valid unit names (reported, never passed to systemctl). */
  invalid: string[];
}

/** Split a `RESTART_SERVICES` value: names separated by spaces and/or commas. */
export function splitRestartServices(value: string | undefined): RestartServices {
  const units: string[] = [];
  const invalid: string[] = [];
  for (const word of (value ?? "").split(/[\s,]+/)) {
    if (word === "") continue;
    if (!UNIT_NAME.test(word) || word.startsWith("-")) invalid.push(word);
    else if (!units.includes(word)) units.push(word);
  }
  return { units, invalid };
}

/**
 * Read `RESTART_SERVICES` from an environment file. A missing file means no extra units;
 * other read errors are thrown.
 */
export async function readRestartServices(path: string): Promise<RestartServices> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { units: [], invalid: [] };
    throw error;
  }
  return splitRestartServices(parseEnvFile(text).get("RESTART_SERVICES"));
}
