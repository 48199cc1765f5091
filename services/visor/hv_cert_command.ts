import {
  booleanFlag,
  type Command,
  configFlag,
  defineCommand,
  jsonFlag,
  stringFlag,
} from "../../mod/cli/mod.ts";
import { DEFAULT_CONFIG_FILE, loadNodeConfig } from "../../mod/config/mod.ts";
import { findTlsCredentials, TlsFileError, writeSelfSigned } from "../../mod/tls/mod.ts";
import { uiCertificateHosts, uiTlsDir } from "./web_ui.ts";

/** `skywire cli visor hv cert`: the web UI's TLS certificate, or a new self-signed one. */
export const hvCertCommand: Command = defineCommand({
  name: "cert",
  summary: "show the web UI's TLS certificate and its SHA-256, or make a new self-signed one",
  usage: "[flags]",
  description:
    "Names the certificate the web UI serves with hypervisor.enable_tls (tls_cert_file, or\n" +
    "the self-signed one in <local_path>/tls) and its SHA-256 fingerprint, to compare with the\n" +
    "one a browser shows. --force makes a new self-signed pair in <local_path>/tls, replacing\n" +
    "the one there (never the configured files); the node serves it from its next start.\n" +
    "For 'skywire up --ui-tls', pass --local-path .skywire-up/visor.",
  flags: {
    config: configFlag({ default: DEFAULT_CONFIG_FILE }),
    "local-path": stringFlag({
      valueName: "DIR",
      description: "the visor's state directory (instead of the config's local_path)",
    }),
    force: booleanFlag({ description: "make a new self-signed certificate, replacing the old" }),
    json: jsonFlag("print {cert, key, sha256, not_after, self_signed} as JSON"),
  },
  run: async ({ flags, out, err }) => {
    let localPath = flags["local-path"];
    let section;
    if (localPath === undefined) {
      const loaded = await loadNodeConfig(flags.config);
      localPath = loaded.config.local_path;
      section = loaded.config.hypervisor;
    }
    const dir = uiTlsDir(localPath);
    const options = {
      certFile: section?.tls_cert_file,
      keyFile: section?.tls_key_file,
      selfSignedDir: dir,
    };
    let found;
    try {
      found = await findTlsCredentials(options);
      if (flags.force) {
        if (found && !found.selfSigned) {
          err(
            `the web UI serves ${found.certFile} (tls_cert_file); --force only replaces the ` +
              `self-signed pair in ${dir}, which is not used while that file exists`,
          );
          return 1;
        }
        const made = await writeSelfSigned({
          dir,
          hosts: uiCertificateHosts(section?.http_addr),
          force: true,
        });
        found = { ...made, selfSigned: true };
        if (!flags.json) {
          err("made a new self-signed certificate; a running node serves it after a restart");
        }
      }
    } catch (error) {
      if (!(error instanceof TlsFileError)) throw error;
      err(error.message);
      return 1;
    }
    if (!found) {
      err(
        `no certificate yet: a node with hypervisor.enable_tls makes one in ${dir} at its ` +
          "next start (or run this with --force)",
      );
      return 1;
    }
    if (flags.json) {
      out(JSON.stringify({
        cert: found.certFile,
        key: found.keyFile,
        sha256: found.fingerprint,
        not_after: found.notAfter?.toISOString() ?? null,
        self_signed: found.selfSigned,
      }));
    } else {
      out(`cert    ${found.certFile}${found.selfSigned ? "  (self-signed)" : ""}`);
      out(`key     ${found.keyFile}`);
      out(`sha256  ${found.fingerprint}`);
      if (found.notAfter) out(`until   ${found.notAfter.toISOString()}`);
      if (section && !section.enable_tls) {
        out("(hypervisor.enable_tls is off: the web UI serves plain HTTP)");
      }
    }
    return 0;
  },
});
