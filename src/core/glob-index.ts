// A policy's globs, indexed by what every path they match must contain (a literal segment or an
// extension), so that a path is tested only against the globs that could match it (./path-matcher.ts).
import type { RiskRule } from "../policy/schema.js";
import { compileGlob, expandBraces, isLiteral, LITERAL_EXT, type GlobMatcher } from "./glob-match.js";

interface GlobOwner {
  rule: number;
  /** The glob as the policy wrote it (before brace expansion), for the reason. */
  label: string;
}

export interface GlobTable {
  matchers: GlobMatcher[];
  owners: GlobOwner[][];
  /** Globs by a literal segment that every path they match contains. */
  bySegment: Map<string, number[]>;
  /** Globs by the extension that every path they match ends with. */
  byExt: Map<string, number[]>;
  /** Globs that no key narrows down: tested against every path. */
  always: number[];
}

/**
 * What every path a brace-free glob matches must contain, to look it up by: its file name when
 * literal, else its longest literal directory segment (named directories are rarer than ".ts"),
 * else the extension it ends with. Literal segments match exactly one path segment, even around `**`.
 */
function globKey(glob: string): { segment: string } | { ext: string } | null {
  if (glob.startsWith("!") || /[(){}\\]/.test(glob)) return null;
  const parts = glob.split("/");
  const last = parts[parts.length - 1]!;
  if (isLiteral(last)) return { segment: last };
  let best: string | undefined;
  for (const part of parts) if (isLiteral(part) && (best === undefined || part.length >= best.length)) best = part;
  if (best !== undefined) return { segment: best };
  const ext = last.includes("**") ? null : LITERAL_EXT.exec(last);
  return ext?.[1] === undefined ? null : { ext: ext[1] };
}

function pushTo(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [id]);
  else list.push(id);
}

export function compileGlobs(rules: readonly RiskRule[]): GlobTable {
  const table: GlobTable = { matchers: [], owners: [], bySegment: new Map(), byExt: new Map(), always: [] };
  const ids = new Map<string, number>();
  rules.forEach((rule, r) => {
    for (const label of new Set(rule.paths ?? [])) {
      for (const glob of expandBraces(label)) {
        let id = ids.get(glob);
        if (id === undefined) {
          const matcher = compileGlob(glob);
          if (matcher === null) continue;
          id = table.matchers.length;
          ids.set(glob, id);
          table.matchers.push(matcher);
          table.owners.push([]);
          const key = globKey(glob);
          if (key === null) table.always.push(id);
          else if ("segment" in key) pushTo(table.bySegment, key.segment, id);
          else pushTo(table.byExt, key.ext, id);
        }
        const owners = table.owners[id]!;
        if (!owners.some((o) => o.rule === r && o.label === label)) owners.push({ rule: r, label });
      }
    }
  });
  return table;
}
