// Durations in the policy ("90m", "24h", "2d", "1h30m"): parsed to milliseconds, or undefined when
// the text is not one (the schema then says what a duration looks like).

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration such as "90m", "24h", "2d" or "1h30m"; undefined when the text is none or under a minute. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d{1,6}[dhm])+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([dhm])/g)) total += Number(amount) * UNIT_MS[unit!]!;
  return total >= 60_000 ? total : undefined;
}
