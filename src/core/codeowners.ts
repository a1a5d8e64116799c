// CODEOWNERS as GitHub reads it: one rule per line ("pattern @owner @org/team"), `#` comments, and
// the LAST matching rule wins. Patterns follow gitignore: a leading "/" or a "/" inside anchors the
// pattern at the root, otherwise it matches at any depth; a trailing "/" (or a directory) covers
// everything under it. Pure: the GitHub edge reads the file at the base.
import { matchesGlob } from "./glob-match.js";

export interface CodeownersRule {
  pattern: string;
  /** The globs the pattern stands for. */
  globs: string[];
  /** Logins (lower-case, without "@") and teams as "@org/slug"; emails are ignored (no account to request). */
  owners: string[];
}

function globsOf(pattern: string): string[] {
  let p = pattern;
  const anchored = p.startsWith("/") || p.slice(0, -1).includes("/");
  p = p.replace(/^\/+/, "");
  if (p === "*" || p === "**" || p === "") return ["**"];
  if (p.endsWith("/")) p = `${p}**`;
  const base = anchored ? p : `**/${p}`;
  // A pattern naming a directory covers the files under it.
  return base.endsWith("**") ? [base] : [base, `${base}/**`];
}

export function parseCodeowners(text: string): CodeownersRule[] {
  const rules: CodeownersRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (line === "") continue;
    const [pattern = "", ...rest] = line.split(/\s+/);
    const owners = rest.filter((o) => o.startsWith("@")).map((o) => (o.includes("/") ? o : o.slice(1).toLowerCase()));
    rules.push({ pattern, globs: globsOf(pattern), owners });
  }
  return rules;
}

/** The rule that owns a path: the last one that matches (which may name no owner: then nobody owns it). */
export function ownerRuleFor(rules: CodeownersRule[], path: string): CodeownersRule | undefined {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i]!;
    if (rule.globs.some((g) => matchesGlob(g, path))) return rule;
  }
  return undefined;
}
