// Co-authors as contributors: with `allow_contributors: false`, a person named in a Co-authored-by
// trailer of a commit of the PR cannot sign off. A noreply address names its account; any other email
// is resolved by the GitHub edge the way GitHub links it (the commit's authors), only when it matters.
import type { Policy } from "../policy/schema.js";
import type { PullSnapshot } from "./types.js";
import type { EvaluationPlan } from "./decide.js";
import { isAiEmail, parseTrailers } from "./detect.js";

const NOREPLY = /@users\.noreply\.github\.com$/i;

/** The email in a trailer value "Name <email>", lower-case. */
function emailIn(value: string): string | undefined {
  return /<([^<>\s]+@[^<>\s]+)>/.exec(value)?.[1]?.toLowerCase();
}

/**
 * The commits whose co-author emails the edge must resolve to accounts: only when contributors may not
 * sign off and someone's eligibility is in question (a decisive review, a removal of the AI label),
 * and only commits with a Co-authored-by email that is neither a noreply address (its account is in
 * it) nor an AI tool's (an AI identity never signs off anyway). Most PRs need none.
 */
export function commitsToResolve(
  snapshot: PullSnapshot,
  policy: Policy,
  plan: Pick<EvaluationPlan, "decisiveReviews" | "labelRemoval">,
): string[] {
  if (policy.signoff.allow_contributors) return [];
  if (plan.decisiveReviews.length === 0 && plan.labelRemoval === undefined) return [];
  const shas: string[] = [];
  for (const commit of snapshot.commits) {
    const unresolved = parseTrailers(commit.message).some((t) => {
      if (t.key.toLowerCase() !== "co-authored-by") return false;
      const email = emailIn(t.value);
      return email !== undefined && !NOREPLY.test(email) && !isAiEmail(email);
    });
    if (unresolved) shas.push(commit.sha);
  }
  return shas;
}
