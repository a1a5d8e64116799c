// What an entry of `detection.emails` matches: core/detect.ts applies it, validate.ts warns with it.

/** "*@domain" matches that domain exactly; anything else the whole address; both case-insensitive. */
export function matchesPolicyEmail(email: string, patterns: string[]): boolean {
  const e = email.trim().toLowerCase();
  if (!e) return false;
  return patterns.some((raw) => {
    const p = raw.trim().toLowerCase();
    return p.startsWith("*@") ? e.slice(e.lastIndexOf("@") + 1) === p.slice(2) : e === p;
  });
}
