// Waiting for a condition that another process (or a real redis-server) makes true, where there is no
// event to await: the condition is polled, and the deadline only bounds a failure, never makes a pass.
export async function until(condition: () => boolean | Promise<boolean>, deadlineMs: number, everyMs = 20): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return condition();
}
