// What a policy's glob means when written the CODEOWNERS way, and why a glob would match nothing.
//
// Teams copy globs from CODEOWNERS, where "/infra/prod/**" is anchored at the root and "infra/prod/" is
// a directory with everything in it. Countersign gives them that meaning (`codeownersForm`, used by
// every matcher in src/core) instead of letting them match nothing. A glob that still cannot match
// any path (picomatch cannot read it, or it has an empty, "." or ".." segment) is a policy problem:
// a `critical` rule must never be silently off.
import picomatch from "picomatch";

/**
 * A glob written the CODEOWNERS way, as the glob it means here: "/infra/prod/**" → "infra/prod/**"
 * (paths are relative to the root, where a leading "/" anchors), "infra/prod/" → "infra/prod/**"
 * (a trailing "/" is the directory and everything in it). A leading "!" is kept.
 */
export function codeownersForm(glob: string): string {
  const negated = glob.startsWith("!");
  let body = negated ? glob.slice(1) : glob;
  while (body.startsWith("/")) body = body.slice(1);
  if (body.endsWith("/")) body = `${body.replace(/\/+$/, "")}/**`;
  if (body === "/**") body = "**";
  return negated ? `!${body}` : body;
}

/** Why a glob (as a policy writes it) can match no path of a pull request, with the fix; undefined when it can. */
export function unmatchableGlob(written: string): string | undefined {
  const glob = codeownersForm(written);
  const body = glob.startsWith("!") ? glob.slice(1) : glob;
  if (body === "") return 'is empty, so it matches nothing; write a path from the repository root, e.g. "infra/prod/**"';
  const odd = body.split("/").find((segment) => segment === "" || segment === "." || segment === "..");
  if (odd !== undefined) {
    const shown = odd === "" ? 'an empty path segment ("//")' : `a "${odd}" path segment`;
    return `has ${shown}, which no changed file's path has, so it matches nothing; write the path from the repository root without it`;
  }
  let re: RegExp | undefined;
  try {
    re = picomatch.makeRe(body, { dot: true, windows: false });
  } catch {
    re = undefined;
  }
  if (re === undefined || re.source === "$^") {
    return "cannot be read as a glob (check its brackets, braces and parentheses), so it would match nothing";
  }
  return undefined;
}
