/**
 * Waits until `check` returns a value (not `undefined`), checking every few milliseconds, or
 * fails after `timeoutMs` naming what it waited for. For state that other processes change
 * (a server's snapshot, a page's figures): it waits on the condition, never on a fixed delay.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
