/**
 * @peculiar/x509 (and the Reflect metadata polyfill its tsyringe needs), loaded at run time.
 *
 * The specifiers are built at run time on purpose: Deno fetches every npm package that a
 * module names literally (also in a dynamic `import("…")`, and an import-map entry whose
 * package the lock lists), at every start, before any code runs. A node that never serves TLS
 * must not download an X.509 library, so the versions are pinned here and in `deno.lock`
 * (which still checks their integrity) and nowhere else.
 *
 * @module
 */

/** The X.509 package, exact version. */
export const X509_PACKAGE = "@peculiar/x509@2.2.0";
/** The Reflect metadata polyfill, exact version. */
export const REFLECT_METADATA_PACKAGE = "reflect-metadata@0.2.2";

/** A subjectAltName entry. */
export interface GeneralNameJson {
  /** `dns` for a name, `ip` for an address. */
  type: "dns" | "ip";
  /** The name or address. */
  value: string;
}

/** The parts of @peculiar/x509 this folder uses (its tests run each of them). */
export interface X509Module {
  /** Makes certificates. */
  X509CertificateGenerator: {
    createSelfSigned(params: {
      serialNumber: string;
      name: string;
      notBefore: Date;
      notAfter: Date;
      signingAlgorithm: EcKeyGenParams & EcdsaParams;
      keys: CryptoKeyPair;
      extensions: object[];
    }): Promise<{ toString(format: "pem"): string }>;
  };
  /** subjectAltName. */
  SubjectAlternativeNameExtension: new (names: GeneralNameJson[]) => object;
  /** basicConstraints. */
  BasicConstraintsExtension: new (
    ca: boolean,
    pathLength: number | undefined,
    critical: boolean,
  ) => object;
  /** keyUsage. */
  KeyUsagesExtension: new (usages: number, critical: boolean) => object;
  /** keyUsage bits. */
  KeyUsageFlags: { digitalSignature: number };
  /** extKeyUsage. */
  ExtendedKeyUsageExtension: new (usages: string[]) => object;
  /** extKeyUsage OIDs. */
  ExtendedKeyUsage: { serverAuth: string };
  /** PEM encoding. */
  PemConverter: { encode(raw: ArrayBuffer, tag: string): string };
}

let loading: Promise<X509Module> | undefined;

/** Load the package once (the polyfill first: tsyringe checks for it when evaluated). */
export function loadX509(): Promise<X509Module> {
  loading ??= (async () => {
    const npm = (name: string) => ["npm:", name].join("");
    await import(npm(REFLECT_METADATA_PACKAGE));
    return await import(npm(X509_PACKAGE)) as X509Module;
  })();
  loading.catch(() => loading = undefined);
  return loading;
}
