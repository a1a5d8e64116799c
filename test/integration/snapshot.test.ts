// One snapshot per evaluation: complete across pages, and honest about GitHub's 3000-file / 250-commit limits.
import { describe, expect, it } from "vitest";
import { FakeGitHub, HEAD, commit, createTestApp, file, noteOpenHead, pullRequest, pullRequestEvent } from "../helpers/github.js";

const PR = "/repos/acme/shop/pulls/7";
const link = (path: string, last: number) => `<https://api.github.com${path}?per_page=100&page=${last}>; rel="last"`;

function pagedFiles(gh: FakeGitHub, total: number, lastPage: number, served: number) {
  for (let page = 1; page <= served; page++) {
    const files = Array.from({ length: Math.min(100, total - (page - 1) * 100) }, (_, i) => file(`services/s${page}/f${i}.ts`));
    gh.api
      .get(`${PR}/files`)
      .query({ per_page: 100, page })
      .reply(200, files, { link: link(`${PR}/files`, lastPage) });
  }
}

describe("reading a pull request", () => {
  it("reads every page of files and commits", async () => {
    const app = createTestApp();
    const pr = pullRequest({ changedFiles: 250, commits: 120, labels: ["risk:high"] });
    const gh = new FakeGitHub().token().noPolicy().existingChecks().labelEvents();
    noteOpenHead(7, () => HEAD);
    gh.api.get(PR).reply(200, pr);
    pagedFiles(gh, 250, 3, 3);
    const commits = Array.from({ length: 120 }, (_, i) => commit({ sha: i === 119 ? HEAD : String(i).padStart(40, "0") }));
    gh.api
      .get(`${PR}/commits`)
      .query({ per_page: 100, page: 1 })
      .reply(200, commits.slice(0, 100), { link: link(`${PR}/commits`, 2) });
    gh.api.get(`${PR}/commits`).query({ per_page: 100, page: 2 }).reply(200, commits.slice(100));
    gh.api.get(`${PR}/reviews`).query(true).reply(200, []);
    gh.expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    // 250 files > the built-in 50-file rule: high, with the real count.
    expect(gh.lastCheck.output.summary).toContain("#### Risk: high");
    expect(gh.lastCheck.output.summary).not.toContain("larger than GitHub");
  });

  it("makes a PR critical when GitHub truncates its file list at 3000", async () => {
    const app = createTestApp();
    const pr = pullRequest({ changedFiles: 3400, commits: 1, labels: ["risk:critical"] });
    const gh = new FakeGitHub().token().noPolicy().existingChecks().labelEvents();
    noteOpenHead(7, () => HEAD);
    gh.api.get(PR).reply(200, pr);
    pagedFiles(gh, 3400, 34, 30); // the app must stop at page 30: a 31st request would be unmatched
    gh.api.get(`${PR}/commits`).query(true).reply(200, [commit()]);
    gh.api.get(`${PR}/reviews`).query(true).reply(200, []);
    gh.expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    const summary = gh.lastCheck.output.summary;
    expect(summary).toContain("#### Risk: critical");
    expect(summary).toMatch(/3400/);
    expect(summary).toMatch(/3000/);
  });

  it("makes a PR critical and gated when GitHub truncates its commit list at 250", async () => {
    const app = createTestApp();
    const pr = pullRequest({ changedFiles: 1, commits: 300, labels: ["risk:critical"] });
    // AI evidence in the 50 unread commits cannot be ruled out: the PR is gated and labelled.
    const gh = new FakeGitHub().token().noPolicy().existingChecks().labelExists("ai-assisted").addLabels();
    gh.api.get(PR).reply(200, pr);
    gh.api
      .get(`${PR}/files`)
      .query(true)
      .reply(200, [file("README.md")]);
    for (let page = 1; page <= 3; page++) {
      const n = page === 3 ? 50 : 100;
      const commits = Array.from({ length: n }, (_, i) => commit({ sha: `${page}${i}`.padStart(40, "0") }));
      gh.api
        .get(`${PR}/commits`)
        .query({ per_page: 100, page })
        .reply(200, commits, { link: link(`${PR}/commits`, 3) });
    }
    gh.api.get(`${PR}/reviews`).query(true).reply(200, []);
    gh.expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    expect(gh.lastCheck.output.summary).toContain("#### Risk: critical");
    expect(gh.lastCheck.output.summary).toContain("50 of 300 commits were not readable");
    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.labelsAdded).toEqual([["ai-assisted"]]);
  });
});
