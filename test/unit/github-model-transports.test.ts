// The one GitHub model answers the same through both transports: the HTTP server (benchmarks, the
// slow-GitHub process tests) and the nock interceptor (in-process tests).
import { afterEach, describe, expect, it } from "vitest";
import { rawRequest } from "../helpers/raw-http.js";
import { API, CHECK_NAME, GitHubModel, GitHubSimulator, OWNER, REPO, serveModel, type SimFile } from "../support/github/index.js";

const files: SimFile[] = Array.from({ length: 25 }, (_, i) => ({
  filename: `src/f${i}.ts`,
  status: "modified",
  additions: 2,
  deletions: 1,
  patch: "@@ -1 +1 @@",
}));

function fill(model: GitHubModel): string {
  model.addRepo(OWNER, REPO, { files: { ".github/countersign.yml": "version: 1\n" } });
  const pull = model.addPull(OWNER, REPO, {
    number: 7,
    author: "alice",
    files,
    commits: [
      {
        message: "Change",
        author: { name: "Alice", email: "alice@example.com", login: "alice" },
        committer: { name: "Alice", email: "alice@example.com", login: "alice" },
      },
    ],
  });
  return pull.headSha;
}

type Answer = { status: number; link: string | undefined; body: unknown };

/** The link header with the origin taken out: the transports differ only in where they listen. */
const relative = (link: string | undefined) => link?.replace(/<[^>]*?(\/repos\/)/g, "<$1");

async function viaHttp(sim: GitHubSimulator, method: string, path: string, body?: object): Promise<Answer> {
  const text = body ? JSON.stringify(body) : "";
  const res = await rawRequest(sim.port, method, `/api/v3${path}`, text ? { "content-type": "application/json" } : {}, text);
  return { status: res.status, link: relative(res.headers.link), body: res.body ? JSON.parse(res.body) : undefined };
}

async function viaNock(method: string, path: string, body?: object): Promise<Answer> {
  const res = await fetch(`${API}${path}`, {
    method,
    ...(body ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
  });
  const text = await res.text();
  return { status: res.status, link: relative(res.headers.get("link") ?? undefined), body: text ? JSON.parse(text) : undefined };
}

describe("the GitHub model's two transports", () => {
  let sim: GitHubSimulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it("answer reads, paginated lists and check-run writes the same", async () => {
    sim = new GitHubSimulator();
    const head = fill(sim.model);
    await sim.start();
    const model = new GitHubModel(sim.model.appId);
    expect(fill(model)).toBe(head);
    const nocked = serveModel(model);

    const steps: Array<[string, string, object?]> = [
      ["GET", `/repos/${OWNER}/${REPO}/pulls/7`],
      ["GET", `/repos/${OWNER}/${REPO}/pulls/7/files?per_page=10&page=2`],
      [
        "POST",
        `/repos/${OWNER}/${REPO}/check-runs`,
        { name: CHECK_NAME, head_sha: head, status: "completed", conclusion: "failure", output: { title: "Waiting", summary: "s" } },
      ],
      ["GET", `/repos/${OWNER}/${REPO}/commits/${head}/check-runs?check_name=${CHECK_NAME}`],
      ["GET", `/repos/${OWNER}/${REPO}/pulls/99`],
    ];
    for (const [method, path, body] of steps) {
      const [http, nock] = await Promise.all([viaHttp(sim, method, path, body), viaNock(method, path, body)]);
      const stable = (a: Answer) =>
        JSON.parse(JSON.stringify(a).replace(/"(started_at|completed_at|created_at|updated_at|pushed_at)":"[^"]*"/g, '"$1":"-"')) as Answer;
      expect(stable(nock), `${method} ${path}`).toEqual(stable(http));
    }
    const listed = (await viaNock("GET", `/repos/${OWNER}/${REPO}/pulls/7/files?per_page=10&page=2`)).body as Array<{ filename: string }>;
    expect(listed.map((f) => f.filename)).toEqual(files.slice(10, 20).map((f) => f.filename));
    expect(model.latestCheckRun(OWNER, REPO, head, CHECK_NAME)?.conclusion).toBe("failure");
    expect(nocked.log).toContain("POST checks.create");
  });
});
