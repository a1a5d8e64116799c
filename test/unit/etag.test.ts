// Conditional requests: a remembered ETag turns a repeat read into a 304 answered from memory;
// only selected GETs take part; memory is bounded; every request is counted by kind.
import nock from "nock";
import { describe, expect, it } from "vitest";
import { ProbotOctokit } from "probot";
import { EtagCache, isConditionalCandidate } from "../../src/github/etag-cache.js";
import { instrumentOctokit, requestKind, type RequestKind } from "../../src/github/instrument.js";
import type { Octokit } from "../../src/github/octokit.js";
import { schemaChecked } from "../support/github/graphql-schema.js";

const API = "https://api.github.com";

function octokit(): Octokit {
  return new ProbotOctokit({
    auth: { token: "test-token" },
    throttle: { enabled: false },
    retry: { enabled: false },
  }) as unknown as Octokit;
}

function counting() {
  const seen: Array<[RequestKind, number | undefined]> = [];
  return { seen, onRequest: (kind: RequestKind, status: number | undefined) => void seen.push([kind, status]) };
}

const fresh = () => nock(API, { badheaders: ["if-none-match"] });

describe("conditional requests", () => {
  it("sends If-None-Match on a repeat read and answers a 304 with the remembered data", async () => {
    const etags = new EtagCache();
    const c = counting();
    const gh = octokit();
    instrumentOctokit(gh, { etags, onRequest: c.onRequest });
    fresh()
      .get("/repos/acme/shop/pulls/7")
      .reply(200, { number: 7, head: { sha: "a" } }, { etag: 'W/"v1"' });
    nock(API).get("/repos/acme/shop/pulls/7").matchHeader("if-none-match", 'W/"v1"').reply(304, "", { etag: 'W/"v1"' });

    const first = await gh.rest.pulls.get({ owner: "acme", repo: "shop", pull_number: 7 });
    const second = await gh.rest.pulls.get({ owner: "acme", repo: "shop", pull_number: 7 });

    expect(second.status).toBe(200);
    expect(second.data).toEqual(first.data);
    expect(c.seen).toEqual([
      ["read", 200],
      ["read", 304],
    ]);
    expect(etags.hits).toBe(1);
  });

  it("hands out a copy: a caller that reshapes the data cannot change what is remembered", async () => {
    const etags = new EtagCache();
    const gh = octokit();
    instrumentOctokit(gh, { etags });
    fresh()
      .get("/repos/acme/shop/pulls/7/reviews")
      .query(true)
      .reply(200, [{ id: 1 }], { etag: '"r1"' });
    nock(API).get("/repos/acme/shop/pulls/7/reviews").query(true).matchHeader("if-none-match", '"r1"').times(2).reply(304);

    await gh.rest.pulls.listReviews({ owner: "acme", repo: "shop", pull_number: 7 });
    const second = await gh.rest.pulls.listReviews({ owner: "acme", repo: "shop", pull_number: 7 });
    (second.data as Array<{ id: number }>).push({ id: 2 });
    const third = await gh.rest.pulls.listReviews({ owner: "acme", repo: "shop", pull_number: 7 });
    expect(third.data).toEqual([{ id: 1 }]);
  });

  it("takes a new answer and its new ETag when the resource changed", async () => {
    const etags = new EtagCache();
    const gh = octokit();
    instrumentOctokit(gh, { etags });
    fresh().get("/repos/acme/shop/commits/abc/check-runs").query(true).reply(200, { total_count: 0, check_runs: [] }, { etag: '"c1"' });
    nock(API)
      .get("/repos/acme/shop/commits/abc/check-runs")
      .query(true)
      .matchHeader("if-none-match", '"c1"')
      .reply(200, { total_count: 1, check_runs: [{ id: 9 }] }, { etag: '"c2"' });
    nock(API).get("/repos/acme/shop/commits/abc/check-runs").query(true).matchHeader("if-none-match", '"c2"').reply(304);

    const params = { owner: "acme", repo: "shop", ref: "abc" };
    await gh.rest.checks.listForRef(params);
    expect((await gh.rest.checks.listForRef(params)).data.total_count).toBe(1);
    expect((await gh.rest.checks.listForRef(params)).data.total_count).toBe(1);
  });

  it("keys by media type: the raw policy file and its JSON description are different answers", async () => {
    const etags = new EtagCache();
    const gh = octokit();
    instrumentOctokit(gh, { etags });
    const path = "/repos/acme/shop/contents/.github%2Fcountersign.yml";
    fresh()
      .get(path)
      .matchHeader("accept", "application/vnd.github.v3.raw")
      .reply(200, "mode: report\n", { etag: '"raw"', "content-type": "application/vnd.github.v3.raw; charset=utf-8" });
    fresh().get(path).matchHeader("accept", "application/vnd.github.v3+json").reply(200, { type: "file" }, { etag: '"json"' });
    nock(API).get(path).matchHeader("if-none-match", '"raw"').reply(304);

    await gh.rest.repos.getContent({ owner: "acme", repo: "shop", path: ".github/countersign.yml", mediaType: { format: "raw" } });
    await gh.rest.repos.getContent({ owner: "acme", repo: "shop", path: ".github/countersign.yml" });
    const again = await gh.rest.repos.getContent({
      owner: "acme",
      repo: "shop",
      path: ".github/countersign.yml",
      mediaType: { format: "raw" },
    });
    expect(again.data).toBe("mode: report\n");
    expect(again.headers["content-type"]).toBe("application/vnd.github.v3.raw; charset=utf-8");
  });

  it("leaves membership lookups and writes alone, and counts reads, writes and GraphQL", async () => {
    const etags = new EtagCache();
    const c = counting();
    const gh = octokit();
    instrumentOctokit(gh, { etags, onRequest: c.onRequest });
    fresh().get("/orgs/acme/teams/seniors/memberships/bob").times(2).reply(200, { state: "active" }, { etag: '"m"' });
    nock(API).post("/repos/acme/shop/check-runs").reply(201, { id: 1 });
    nock(API)
      .post("/graphql", schemaChecked)
      .reply(200, { data: { viewer: { login: "x" } } });

    await gh.rest.teams.getMembershipForUserInOrg({ org: "acme", team_slug: "seniors", username: "bob" });
    await gh.rest.teams.getMembershipForUserInOrg({ org: "acme", team_slug: "seniors", username: "bob" });
    await gh.rest.checks.create({ owner: "acme", repo: "shop", name: "Countersign", head_sha: "a" });
    await gh.graphql("{ viewer { login } }");

    expect(c.seen.map(([kind]) => kind)).toEqual(["read", "read", "write", "graphql"]);
    expect(etags.size).toBe(0);
  });

  it("counts errors too, and a 404 is not remembered", async () => {
    const etags = new EtagCache();
    const c = counting();
    const gh = octokit();
    instrumentOctokit(gh, { etags, onRequest: c.onRequest });
    fresh().get("/repos/acme/shop/pulls/8").times(2).reply(404, { message: "Not Found" });
    await expect(gh.rest.pulls.get({ owner: "acme", repo: "shop", pull_number: 8 })).rejects.toMatchObject({ status: 404 });
    await expect(gh.rest.pulls.get({ owner: "acme", repo: "shop", pull_number: 8 })).rejects.toMatchObject({ status: 404 });
    expect(c.seen).toEqual([
      ["read", 404],
      ["read", 404],
    ]);
  });

  it("installs its hook once per octokit", async () => {
    const c = counting();
    const gh = octokit();
    instrumentOctokit(gh, { onRequest: c.onRequest });
    instrumentOctokit(gh, { onRequest: c.onRequest });
    nock(API).get("/repos/acme/shop/pulls/7").reply(200, {});
    await gh.rest.pulls.get({ owner: "acme", repo: "shop", pull_number: 7 });
    expect(c.seen).toHaveLength(1);
  });
});

describe("EtagCache", () => {
  const response = (data: unknown) => ({ status: 200, url: "u", headers: {}, data });

  it("is bounded by entries, dropping the least recently used", () => {
    const cache = new EtagCache(2, 1_000_000);
    cache.remember("a", '"a"', response(1));
    cache.remember("b", '"b"', response(2));
    cache.revalidated("a"); // a is now the most recently used
    cache.remember("c", '"c"', response(3));
    expect([cache.etag("a"), cache.etag("b"), cache.etag("c")]).toEqual(['"a"', undefined, '"c"']);
  });

  it("is bounded by bytes, and does not keep one answer larger than a quarter of the budget", () => {
    const cache = new EtagCache(1000, 4_000);
    cache.remember("big", '"x"', response("x".repeat(1_000)));
    expect(cache.size).toBe(0);
    for (let i = 0; i < 10; i++) cache.remember(`k${i}`, '"k"', response("y".repeat(400)));
    expect(cache.totalBytes).toBeLessThanOrEqual(4_000);
    expect(cache.etag("k9")).toBe('"k"');
    expect(cache.etag("k0")).toBeUndefined();
  });

  it.each([
    ["GET", "/repos/acme/shop/pulls/7", true],
    ["GET", "https://api.github.com/repos/acme/shop/pulls/7/files?per_page=100&page=2", true],
    ["GET", "/repos/acme/shop/pulls/7/commits", true],
    ["GET", "/repos/acme/shop/pulls/7/reviews", true],
    ["GET", "/repos/acme/shop/commits/abc/check-runs?check_name=Countersign", true],
    ["GET", "/repos/acme/shop/contents/.github%2Fcountersign.yml", true],
    ["GET", "/repos/acme/shop/issues/7/events", true],
    ["GET", "/orgs/acme/teams/seniors/memberships/bob", false],
    ["GET", "/repos/acme/shop/collaborators/bob/permission", false],
    ["POST", "/repos/acme/shop/check-runs", false],
    ["PATCH", "/repos/acme/shop/pulls/7", false],
  ])("%s %s is a candidate: %s", (method, url, expected) => {
    expect(isConditionalCandidate(method, url)).toBe(expected);
  });

  it.each([
    ["GET", "/repos/a/b/pulls/1", "read"],
    ["HEAD", "/repos/a/b", "read"],
    ["POST", "/repos/a/b/check-runs", "write"],
    ["DELETE", "/repos/a/b/issues/1/labels/x", "write"],
    ["POST", "/graphql", "graphql"],
    ["POST", "https://ghe.example.com/api/graphql", "graphql"],
    ["POST", "/app/installations/4242/access_tokens", "auth"],
    ["POST", "https://ghe.example.com/api/v3/app/installations/4242/access_tokens", "auth"],
  ])("%s %s is a %s", (method, url, kind) => {
    expect(requestKind(method, url)).toBe(kind);
  });
});
