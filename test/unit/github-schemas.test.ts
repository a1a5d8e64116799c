// The shared GitHub model checks what the app sends against GitHub's published descriptions: GraphQL
// documents and variables (@octokit/graphql-schema), REST write bodies (@octokit/openapi).
import { describe, expect, it } from "vitest";
import { graphqlProblems } from "../support/github/graphql-schema.js";
import { restBodyProblems } from "../support/github/rest-schema.js";

describe("REST write bodies against @octokit/openapi", () => {
  const output = { title: "Waiting for 1 approval", summary: "…" };

  it("accepts the check-run writes the app sends", () => {
    expect(restBodyProblems("checks.create", { name: "Countersign", head_sha: "a".repeat(40), status: "in_progress", output })).toEqual([]);
    expect(restBodyProblems("checks.update", { status: "completed", conclusion: "success", output })).toEqual([]);
  });

  it("refuses what GitHub refuses: an unknown status, a create without head_sha, an annotation without its lines", () => {
    expect(restBodyProblems("checks.update", { status: "done", output })).not.toEqual([]);
    expect(restBodyProblems("checks.create", { name: "Countersign", status: "in_progress" })).not.toEqual([]);
    const annotations = [{ path: "a.ts", annotation_level: "failure", message: "m" }];
    expect(
      restBodyProblems("checks.update", { status: "completed", conclusion: "failure", output: { ...output, annotations } }),
    ).not.toEqual([]);
  });

  it("checks labels, review requests and comments too", () => {
    expect(restBodyProblems("issues.addLabels", { labels: ["risk:low"] })).toEqual([]);
    expect(restBodyProblems("issues.createComment", {})).not.toEqual([]);
    expect(restBodyProblems("pulls.requestReviewers", { reviewers: ["carol"], team_reviewers: ["seniors"] })).toEqual([]);
  });
});

describe("GraphQL against @octokit/graphql-schema", () => {
  it("refuses a field GitHub does not have", () => {
    expect(graphqlProblems("{ viewer { login } }")).toEqual([]);
    expect(graphqlProblems("{ viewer { nickname } }").join("\n")).toMatch(/nickname/);
  });
});
