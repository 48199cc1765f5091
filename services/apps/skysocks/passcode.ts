/**
 * The credential check for a skysocks passcode: a client passes when its username or its
 * password equals the passcode (as Go's `passcodeCredentials`, so a Go skysocks-client user who
 * types the passcode in either field gets in). Compared in constant time.
 */
export function passcodeCheck(passcode: string): (user: string, password: string) => boolean {
  const want = new TextEncoder().encode(passcode);
  return (user, password) => {
    const u = sameBytes(new TextEncoder().encode(user), want);
    const p = sameBytes(new TextEncoder().encode(password), want);
    return u || p;
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i] ?? 0) ^ b[i];
  return diff === 0;
}
