/** Poll `check` until it holds (or fail naming `what` after `limitMs`). */
export async function eventually(
  check: () => boolean,
  what: string,
  limitMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
