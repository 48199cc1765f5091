/** The environment variable naming the OpenSSL libcrypto file to try before the usual names. */
export const LIBCRYPTO_ENV = "SKYWIRE_CRYPTO_LIB";

/**
 * The usual names of OpenSSL's libcrypto on this OS, in the order to try them (after the file
 * {@linkcode LIBCRYPTO_ENV} names). Every user of the library (the AEAD, SHA-256) looks for it
 * the same way.
 */
export function libcryptoNames(): string[] {
  // Never the bare libcrypto.dylib on macOS: the system's aborts the process that loads it.
  if (Deno.build.os === "darwin") {
    return [
      "/opt/homebrew/opt/openssl@3/lib/libcrypto.3.dylib",
      "/usr/local/opt/openssl@3/lib/libcrypto.3.dylib",
    ];
  }
  return ["libcrypto.so.3", "libcrypto.so.1.1"];
}
