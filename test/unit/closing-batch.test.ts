// Closing check writes that wait at the same time ride in one GraphQL request (one write slot): the
// request says what each REST write would have said, each caller gets its own answer, a write the
// batch did not make goes alone by REST, and nothing but closing writes ever rides.
import nock from "nock";
import { describe, expect, it } from "vitest";
import type { CheckTarget, ExistingCheckRun } from "../../src/github/publish.js";
import type { Publisher } from "../../src/github/publisher.js";
import { checkBatchRequest, checkBatchResults, type BatchableCheckWrite } from "../../src/github/check-batch.js";
import { WriteTurns } from "../../src/github/write-turns.js";
import type { CheckRunView } from "../../src/core/render.js";
import { API, checkView, queuedOctokit, queuedPublisher } from "../helpers/queued-octokit.js";
import { until } from "../helpers/poll.js";
import { APP_ID, GitHubModel } from "../support/github/index.js";
import { resolveCheckRunMutations } from "../support/github/check-runs.js";
import { graphqlProblems, schemaChecked } from "../support/github/graphql-schema.js";

/** Installation 4242's publisher over a queued octokit. */
const octokit = (turns: WriteTurns, baseUrl = API): Publisher => queuedPublisher(queuedOctokit(baseUrl), turns);
/** What became of one check write: created, updated or unchanged (or why the queue skipped it). */
async function writeCheckRun(publisher: Publisher, t: CheckTarget, v: CheckRunView, existing: ExistingCheckRun | undefined) {
  const outcome = await publisher.writeCheck(t, v, existing);
  return outcome.sent ? outcome.value.write : outcome.why;
}
const view = checkView;
const target = (sha: string, repositoryId: string | null = "R_1"): CheckTarget => ({
  owner: "acme",
  repo: "shop",
  headSha: sha.repeat(40),
  name: "Countersign",
  ...(repositoryId ? { repositoryId } : {}),
});
const passingRun = (id: number, nodeId: string | null = `CR_${id}`): ExistingCheckRun => ({
  id,
  ...(nodeId ? { nodeId } : {}),
  view: view("completed", "success"),
});

interface GraphqlBody {
  query: string;
  variables: Record<string, Record<string, unknown>>;
}

/** Each check run answers one REST update, recorded as `rest <id>`. */
function restUpdates(ids: number[], sent: string[]): void {
  for (const id of ids) {
    nock(API)
      .patch(`/repos/acme/shop/check-runs/${id}`)
      .reply(200, () => (sent.push(`rest ${id}`), { id }));
  }
}

/** Close the gate on these passing check runs (head letter, run id), all waiting for the turn at once. */
function closeTogether(turns: WriteTurns, gh: Publisher, runs: Array<[string, number]>) {
  return whileHeld(turns, runs.length, () =>
    Promise.all(runs.map(([sha, id]) => writeCheckRun(gh, target(sha), view("completed", "failure"), passingRun(id)))),
  );
}

/** Hold the installation's turn while `queue` queues its `writes` writes; once they all wait, let them go. */
async function whileHeld<T>(turns: WriteTurns, writes: number, queue: () => T): Promise<Awaited<T>> {
  const holder = await turns.acquire("4242", { kind: "check" });
  const queued = queue();
  expect(await until(() => turns.queued("4242") === writes, 5_000)).toBe(true);
  holder.end();
  return await queued;
}

describe("closing check writes that wait together", () => {
  it("go to GitHub as one GraphQL request, in their order of arrival, each caller getting its own answer", async () => {
    const turns = new WriteTurns(0);
    const gh = octokit(turns);
    const bodies: GraphqlBody[] = [];
    nock(API)
      .post("/graphql", (b: GraphqlBody) => (bodies.push(b), schemaChecked(b)))
      .reply(200, {
        data: {
          w0: { checkRun: { id: "CR_11", databaseId: 11 } },
          w1: { checkRun: { id: "CR_31", databaseId: 31 } },
          w2: { checkRun: { id: "CR_13", databaseId: 13 } },
        },
      });
    const labels: string[] = [];
    nock(API)
      .post("/repos/acme/shop/issues/9/labels")
      .reply(200, () => (labels.push(`label after ${bodies.length} batch`), []));

    const results = await whileHeld(turns, 4, () =>
      Promise.all([
        writeCheckRun(gh, target("a"), view("completed", "failure"), passingRun(11)),
        gh.addLabels({ owner: "acme", repo: "shop", number: 9 }, ["risk:low"]),
        // Back to waiting: a completed run cannot go back to in_progress, so this one is created.
        writeCheckRun(gh, target("b"), view("in_progress"), passingRun(12)),
        writeCheckRun(gh, target("c"), view("completed", "failure"), passingRun(13)),
      ]),
    );

    expect([results[0], results[2], results[3]]).toEqual(["updated", "created", "updated"]);
    expect(bodies).toHaveLength(1);
    const [body] = bodies;
    expect(body!.query).toBe(
      "mutation CountersignClosingChecks($i0: UpdateCheckRunInput!, $i1: CreateCheckRunInput!, $i2: UpdateCheckRunInput!) { " +
        "w0: updateCheckRun(input: $i0) { checkRun { id databaseId } } " +
        "w1: createCheckRun(input: $i1) { checkRun { id databaseId } } " +
        "w2: updateCheckRun(input: $i2) { checkRun { id databaseId } } }",
    );
    expect(body!.variables.i0).toMatchObject({
      repositoryId: "R_1",
      checkRunId: "CR_11",
      status: "COMPLETED",
      conclusion: "FAILURE",
      output: { title: "done: failure", summary: "s" },
    });
    expect(body!.variables.i1).toEqual({
      repositoryId: "R_1",
      name: "Countersign",
      headSha: "b".repeat(40),
      status: "IN_PROGRESS",
      output: { title: "Waiting for 1 approval", summary: "s" },
    });
    expect(body!.variables.i2).toMatchObject({ checkRunId: "CR_13", conclusion: "FAILURE" });
    // The label, queued between them, waited for the closing writes and kept its own slot.
    expect(labels).toEqual(["label after 1 batch"]);
  });

  it("a closing write alone goes by REST, and so does one whose ids are unknown", async () => {
    const turns = new WriteTurns(0);
    const gh = octokit(turns);
    const sent: string[] = [];
    restUpdates([11, 12, 13], sent);

    await writeCheckRun(gh, target("a"), view("completed", "failure"), passingRun(11));
    // Waiting together, but one has no repository id and the other no check-run node id: neither can ride.
    await whileHeld(turns, 2, () =>
      Promise.all([
        writeCheckRun(gh, target("b", null), view("completed", "failure"), passingRun(12)),
        writeCheckRun(gh, target("c"), view("completed", "failure"), passingRun(13, null)),
      ]),
    );
    expect(sent).toEqual(["rest 11", "rest 12", "rest 13"]);
  });

  it("only closing writes ride: opening check writes waiting meanwhile keep their own REST writes", async () => {
    const turns = new WriteTurns(0);
    const gh = octokit(turns);
    const order: string[] = [];
    nock(API)
      .post("/graphql", schemaChecked)
      .reply(200, (_uri, b) => {
        order.push(`graphql ×${Object.keys((b as GraphqlBody).variables).length}`);
        return { data: { w0: { checkRun: { id: "CR_11", databaseId: 11 } }, w1: { checkRun: { id: "CR_12", databaseId: 12 } } } };
      });
    nock(API)
      .patch("/repos/acme/shop/check-runs/21")
      .reply(200, () => (order.push("open 21"), { id: 21 }));
    const waiting = { id: 21, nodeId: "CR_21", view: view("in_progress") };
    await whileHeld(turns, 3, () =>
      Promise.all([
        writeCheckRun(gh, target("d"), view("completed", "success"), waiting),
        writeCheckRun(gh, target("a"), view("completed", "failure"), passingRun(11)),
        writeCheckRun(gh, target("b"), view("completed", "failure"), passingRun(12)),
      ]),
    );
    expect(order).toEqual(["graphql ×2", "open 21"]);
  });

  it("a write the batch did not make is sent alone by REST, and the installation's closing writes go alone for a while", async () => {
    const turns = new WriteTurns(0);
    const gh = octokit(turns);
    const sent: string[] = [];
    nock(API)
      .post("/graphql", schemaChecked)
      .reply(200, () => {
        sent.push("graphql");
        return {
          data: { w0: { checkRun: { id: "CR_11", databaseId: 11 } }, w1: null },
          errors: [{ type: "FORBIDDEN", path: ["w1"], message: "Resource not accessible by integration" }],
        };
      });
    restUpdates([12, 13, 14], sent);
    const first = await closeTogether(turns, gh, [
      ["a", 11],
      ["b", 12],
    ]);
    expect(first).toEqual(["updated", "updated"]);
    // Within the cool-down, two closing writes waiting together each go by REST.
    await closeTogether(turns, gh, [
      ["c", 13],
      ["e", 14],
    ]);
    expect(sent).toEqual(["graphql", "rest 12", "rest 13", "rest 14"]);
  });

  it("when the batched request fails, every write in it is sent alone by REST", async () => {
    const turns = new WriteTurns(0);
    const gh = octokit(turns);
    const sent: string[] = [];
    nock(API).post("/graphql", schemaChecked).reply(502, { message: "Bad gateway" });
    restUpdates([11, 12], sent);
    const results = await closeTogether(turns, gh, [
      ["a", 11],
      ["b", 12],
    ]);
    expect(results).toEqual(["updated", "updated"]);
    expect(sent.sort()).toEqual(["rest 11", "rest 12"]);
  });

  it("on GitHub Enterprise Server the request goes to /api/graphql", async () => {
    const turns = new WriteTurns(0);
    const gh = octokit(turns, "https://ghe.example/api/v3");
    nock("https://ghe.example")
      .post("/api/graphql")
      .reply(200, { data: { w0: { checkRun: { id: "CR_11", databaseId: 11 } }, w1: { checkRun: { id: "CR_12", databaseId: 12 } } } });
    const results = await closeTogether(turns, gh, [
      ["a", 11],
      ["b", 12],
    ]);
    expect(results).toEqual(["updated", "updated"]);
  });
});

describe("the batch's request and answers", () => {
  const write: BatchableCheckWrite = {
    op: "update",
    repositoryId: "R_1",
    checkRunId: "CR_5",
    body: {
      status: "completed",
      conclusion: "failure",
      output: {
        title: "t",
        summary: "s",
        text: "x",
        annotations: [{ path: "countersign.yml", start_line: 3, end_line: 4, annotation_level: "failure", message: "m", title: "bad key" }],
      },
    },
  };

  it("says in GraphQL's words what the REST body says, annotations included", () => {
    const { variables } = checkBatchRequest([write], new Date("2026-12-02T00:00:00Z"));
    expect(variables.i0).toEqual({
      repositoryId: "R_1",
      checkRunId: "CR_5",
      status: "COMPLETED",
      conclusion: "FAILURE",
      completedAt: "2026-12-02T00:00:00.000Z",
      output: {
        title: "t",
        summary: "s",
        text: "x",
        annotations: [
          { path: "countersign.yml", location: { startLine: 3, endLine: 4 }, annotationLevel: "FAILURE", message: "m", title: "bad key" },
        ],
      },
    });
  });

  it("gives each write its own result: an error at its alias, a missing check run, or no data at all", () => {
    expect(
      checkBatchResults(
        { data: { w0: { checkRun: { id: "CR_1", databaseId: 1 } }, w1: null, w2: {} }, errors: [{ path: ["w1"], message: "nope" }] },
        3,
      ),
    ).toEqual([
      { ok: true, data: { id: 1, node_id: "CR_1" } },
      { ok: false, error: "nope" },
      { ok: false, error: "GitHub's answer has no check run for w2" },
    ]);
    expect(checkBatchResults({ data: null, errors: [{ message: "Something went wrong" }] }, 2)).toEqual([
      { ok: false, error: "Something went wrong" },
      { ok: false, error: "Something went wrong" },
    ]);
  });

  it("the simulator applies the mutations to its model as the REST writes would", () => {
    const model = new GitHubModel(APP_ID);
    const repo = model.addRepo("acme", "shop", {});
    const before = repo.checkRuns.length;
    const sha = "f".repeat(40);
    const created: BatchableCheckWrite = {
      op: "create",
      repositoryId: `R_${repo.id}`,
      body: { name: "Countersign", head_sha: sha, status: "in_progress", output: { title: "Waiting", summary: "s" } },
    };
    const missing: BatchableCheckWrite = { ...write, repositoryId: `R_${repo.id}`, checkRunId: "CR_999999" };
    const { query, variables } = checkBatchRequest([created, missing]);
    const answer = resolveCheckRunMutations(query, variables, model)!;
    const results = checkBatchResults(answer, 2);
    expect(results[0]).toMatchObject({ ok: true });
    expect(results[1]).toMatchObject({ ok: false, error: expect.stringContaining("CR_999999") });
    expect(repo.checkRuns.length).toBe(before + 1);
    expect(model.latestCheckRun("acme", "shop", sha, "Countersign")).toMatchObject({ status: "in_progress", output: { title: "Waiting" } });
    expect(resolveCheckRunMutations("query { viewer { login } }", {}, model)).toBeUndefined();
  });
});

describe("the batched request fits GitHub's published GraphQL schema", () => {
  const annotated: BatchableCheckWrite = {
    op: "update",
    repositoryId: "R_1",
    checkRunId: "CR_1",
    body: {
      status: "completed",
      conclusion: "failure",
      output: {
        title: "Invalid policy",
        summary: "…",
        annotations: [
          {
            path: ".github/countersign.yml",
            start_line: 3,
            end_line: 4,
            annotation_level: "failure",
            message: "unknown key",
            title: "policy",
          },
        ],
      },
    },
  };

  it("annotation ranges are CheckAnnotationRange's { startLine, endLine }, and the whole request validates", () => {
    const created: BatchableCheckWrite = {
      ...annotated,
      op: "create",
      body: { ...annotated.body, name: "Countersign", head_sha: "a".repeat(40) },
    };
    const { query, variables } = checkBatchRequest([annotated, created]);

    expect(graphqlProblems(query, variables)).toEqual([]);
    const output = (variables.i0 as { output: { annotations: Array<{ location: unknown }> } }).output;
    expect(output.annotations[0]?.location).toEqual({ startLine: 3, endLine: 4 });
  });

  it("the schema check refuses what GitHub refuses: a range as { start, end }", () => {
    const { query, variables } = checkBatchRequest([annotated]);
    const input = variables.i0 as { output: { annotations: Array<{ location: unknown }> } };
    input.output.annotations[0]!.location = { start: 3, end: 4 };

    expect(graphqlProblems(query, variables).join("\n")).toMatch(/startLine/);
  });
});
