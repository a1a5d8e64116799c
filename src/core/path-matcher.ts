// Matching one snapshot's paths against a policy's indexed globs (./glob-index.ts): what a glob says
// about a directory is decided once per directory, so a file costs a few lookups and name tests.
import type { GlobTable } from "./glob-index.js";
import { dirVerdict, segmentMatches, verdictHolds, WHOLE_PATH, type GlobMatcher, type NameTest, type Verdict } from "./glob-match.js";

/** The globs that could match files in one directory, with what each says about them. */
export interface DirEntry {
  segments: string[];
  /** Globs every file in the directory matches. */
  all: number[];
  /** Name tests (each once, though several globs may share one), and the globs a file matches when its name passes. */
  names: NameTest[];
  byName: number[][];
  /** Globs tested against each whole path. */
  whole: number[];
  /** Verdicts for globs looked up by file name or extension, decided on first use. */
  verdicts: Map<number, Verdict>;
}

export interface PathHits {
  /** Per rule: matching file indices; ~index when only the previous path matched. */
  files: number[][];
  /** Per rule: the globs (as written) that matched. */
  globs: Set<string>[];
}

/** Path matching over one snapshot. Hot: written without closures (tsx's keepNames wraps each one per call). */
export class PathMatcher {
  private readonly dirs = new Map<string, DirEntry>();
  private readonly lastFile: Int32Array;
  /** Per glob: whether its labels were recorded already. */
  private readonly labelled: Uint8Array;
  /** Per glob: the directory (by generation) that last took it as a candidate. */
  private readonly seen: Int32Array;
  private generation = 0;
  readonly hits: PathHits;

  constructor(
    private readonly table: GlobTable,
    rules: number,
  ) {
    this.lastFile = new Int32Array(rules).fill(-1);
    this.labelled = new Uint8Array(table.matchers.length);
    this.seen = new Int32Array(table.matchers.length);
    this.hits = { files: Array.from({ length: rules }, () => []), globs: Array.from({ length: rules }, () => new Set()) };
  }

  // GitHub lists files in path order: consecutive files mostly share their directory.
  private lastDir = "\0";
  private lastEntry: DirEntry | undefined;

  /** The directories seen, in order of first appearance. */
  directories(): Iterable<[string, DirEntry]> {
    return this.dirs.entries();
  }

  private dir(path: string, slash: number): DirEntry {
    if (this.lastEntry !== undefined && slash === this.lastDir.length && path.startsWith(this.lastDir)) return this.lastEntry;
    const dir = slash === -1 ? "" : path.slice(0, slash);
    let entry = this.dirs.get(dir);
    if (entry === undefined) {
      entry = this.newEntry(dir);
      this.dirs.set(dir, entry);
    }
    this.lastDir = dir;
    this.lastEntry = entry;
    return entry;
  }

  private newEntry(dir: string): DirEntry {
    const segments = dir === "" ? [] : dir.split("/");
    const entry: DirEntry = { segments, all: [], byName: [], names: [], whole: [], verdicts: new Map() };
    this.generation++;
    for (const segment of segments) this.addCandidates(entry, this.table.bySegment.get(segment));
    this.addCandidates(entry, this.table.always);
    return entry;
  }

  private addCandidates(entry: DirEntry, ids: readonly number[] | undefined): void {
    if (ids === undefined) return;
    for (const id of ids) {
      if (this.seen[id] === this.generation) continue; // keyed by two segments of this directory
      this.seen[id] = this.generation;
      const verdict = dirVerdict(this.table.matchers[id]!, entry.segments);
      if (verdict === true) entry.all.push(id);
      else if (verdict === WHOLE_PATH) entry.whole.push(id);
      else if (verdict !== false) {
        const at = entry.names.indexOf(verdict);
        if (at === -1) {
          entry.names.push(verdict);
          entry.byName.push([id]);
        } else entry.byName[at]!.push(id);
      }
    }
  }

  /** Record `hit` (a file index, or ~index for its previous path) for every rule with a glob matching `path`. */
  match(path: string, hit: number): void {
    const slash = path.lastIndexOf("/");
    const entry = this.dir(path, slash);
    const base = path.slice(slash + 1);
    for (const id of entry.all) this.record(id, hit);
    for (let i = 0; i < entry.names.length; i++) {
      if (segmentMatches(entry.names[i]!, base)) for (const id of entry.byName[i]!) this.record(id, hit);
    }
    for (const id of entry.whole) if (verdictHolds(WHOLE_PATH, this.table.matchers[id]!, path, base)) this.record(id, hit);
    this.lookUp(this.table.bySegment.get(base), entry, path, base, hit);
    const dot = base.lastIndexOf(".");
    if (dot !== -1) this.lookUp(this.table.byExt.get(base.slice(dot + 1)), entry, path, base, hit);
  }

  private lookUp(ids: readonly number[] | undefined, entry: DirEntry, path: string, base: string, hit: number): void {
    if (ids === undefined) return;
    for (const id of ids) {
      const matcher = this.table.matchers[id]!;
      let verdict = entry.verdicts.get(id);
      if (verdict === undefined) {
        verdict = dirVerdict(matcher, entry.segments);
        entry.verdicts.set(id, verdict);
      }
      if (verdictHolds(verdict, matcher, path, base)) this.record(id, hit);
    }
  }

  private record(id: number, hit: number): void {
    const file = hit < 0 ? ~hit : hit;
    const labelled = this.labelled[id] === 1;
    this.labelled[id] = 1;
    for (const { rule, label } of this.table.owners[id]!) {
      if (!labelled) this.hits.globs[rule]!.add(label);
      if (this.lastFile[rule] === file) continue;
      this.lastFile[rule] = file;
      this.hits.files[rule]!.push(hit);
    }
  }
}

/** The component a directory belongs to: itself or its deepest ancestor that a component glob matches. */
function componentOf(
  components: readonly GlobMatcher[],
  dir: string,
  segments: readonly string[],
  byDir: Map<string, string | null>,
): string | null {
  const known = byDir.get(dir);
  if (known !== undefined) return known;
  const parent = segments.slice(0, -1);
  const name = segments[segments.length - 1]!;
  let found: string | null = null;
  for (const matcher of components) if (verdictHolds(dirVerdict(matcher, parent), matcher, dir, name)) found = dir;
  if (found === null && parent.length > 0) found = componentOf(components, dir.slice(0, dir.lastIndexOf("/")), parent, byDir);
  byDir.set(dir, found);
  return found;
}

/** The distinct components of the directories that changed files are in (root files have none). */
export function touchedComponents(components: readonly GlobMatcher[], dirs: Iterable<[string, DirEntry]>): string[] {
  const byDir = new Map<string, string | null>();
  const touched = new Set<string>();
  for (const [dir, entry] of dirs) {
    const component = dir === "" ? null : componentOf(components, dir, entry.segments, byDir);
    if (component !== null) touched.add(component);
  }
  return [...touched];
}
