// The open PRs on a head: GitHub's list for a commit (GET /commits/{sha}/pulls) leaves out PRs from
// forks, so it stands for "every open PR with this head" only in a repository without forks.
import nock from "nock";
import { describe, expect, it } from "vitest";
import { openPullRequestsWithHead } from "../../src/github/pulls.js";
import { API, queuedOctokit } from "../helpers/queued-octokit.js";

const SHA = "a".repeat(40);
const pull = (number: number, sha = SHA) => ({ number, state: "open", head: { sha }, updated_at: "2026-12-01T00:00:00Z" });

describe("openPullRequestsWithHead", () => {
  it("a repository without forks: GitHub's list for the commit, one read, when it lists the PR itself", async () => {
    nock(API)
      .get(`/repos/acme/shop/commits/${SHA}/pulls`)
      .query(true)
      .reply(200, [pull(7), pull(9)]);
    expect(await openPullRequestsWithHead(queuedOctokit(), "acme", "shop", SHA, 7, 0)).toEqual([7, 9]);
  });

  it.each([
    ["with forks", 3],
    ["when the forks are not known", undefined],
  ])("%s: the open PRs are scanned, which finds a fork's PR on the head", async (_, forks) => {
    nock(API)
      .get("/repos/acme/shop/pulls")
      .query(true)
      .reply(200, [pull(7), pull(8), pull(11, "b".repeat(40))]);
    expect(await openPullRequestsWithHead(queuedOctokit(), "acme", "shop", SHA, 7, forks)).toEqual([7, 8]);
  });

  it("without forks, a list that leaves the PR itself out is not trusted either: scanned", async () => {
    nock(API)
      .get(`/repos/acme/shop/commits/${SHA}/pulls`)
      .query(true)
      .reply(200, [pull(9)]);
    nock(API)
      .get("/repos/acme/shop/pulls")
      .query(true)
      .reply(200, [pull(7), pull(9)]);
    expect(await openPullRequestsWithHead(queuedOctokit(), "acme", "shop", SHA, 7, 0)).toEqual([7, 9]);
  });
});
