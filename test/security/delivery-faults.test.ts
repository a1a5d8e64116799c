// Webhook delivery faults: duplicates, events out of order or at once, events about a PR that has
// changed since, and lost deliveries. The app reads GitHub's current state on every event, so the
// check on the head must always end up saying what that state requires.
import { describe, expect, it } from "vitest";
import { APP_ID, createTestApp, example, issueCommentEvent } from "../helpers/github.js";
import { CAROL, OWNER } from "../support/github/constants.js";
import { CLAUDE_MESSAGE, GitHubSession, blocks, passes, simCommit } from "../support/github/session.js";
import { deferred } from "../helpers/deferred.js";
import { until } from "../helpers/poll.js";

const SENIORS = "signoff:\n  reviewers: ['@acme/seniors']\n";

function world() {
  const gh = new GitHubSession({ policy: SENIORS }).install();
  gh.model.setTeam(OWNER, "seniors", { carol: "active", dave: "active" });
  const pull = gh.addPull({ commits: [simCommit({ message: CLAUDE_MESSAGE })] });
  return { gh, app: createTestApp(), pull };
}

function checkWrites(gh: GitHubSession): string[] {
  return gh.writes.filter((w) => w.includes("/check-runs"));
}

describe("duplicate deliveries", () => {
  it("the same event delivered twice ends in the same check, and the second delivery writes nothing", async () => {
    const { gh, app } = world();
    const payload = gh.pullEvent("opened");
    await app.receive("pull_request", payload);
    const first = { check: gh.check(), writes: [...gh.writes] };
    expect(first.writes.length).toBeGreaterThan(0);

    await app.receive("pull_request", payload);

    expect(gh.writes).toEqual(first.writes);
    expect(gh.check()).toEqual(first.check);
    expect(blocks(gh.check())).toBe(true);
  });

  it("a duplicated approval event writes the passing check once", async () => {
    const { gh, app } = world();
    const review = gh.review(7, CAROL, "APPROVED");
    const payload = gh.reviewEvent("submitted", review);
    await app.receive("pull_request_review", payload);
    await app.receive("pull_request_review", payload);

    expect(passes(gh.check())).toBe(true);
    expect(checkWrites(gh)).toHaveLength(1);
  });
});

describe("events out of order", () => {
  it("a review event handled before the synchronize that preceded it: the final check reflects the latest head", async () => {
    const { gh, app } = world();
    const oldHead = gh.pull().headSha;
    const syncPayload = gh.pullEvent("synchronize"); // built before the push: names the old head
    gh.push(7, { message: "Address review" });
    const review = gh.review(7, CAROL, "APPROVED");
    const newHead = gh.pull().headSha;
    syncPayload.pull_request = gh.pullJson();

    await app.receive("pull_request_review", gh.reviewEvent("submitted", review));
    await app.receive("pull_request", syncPayload);

    expect(passes(gh.check(newHead))).toBe(true);
    expect(gh.check(oldHead)).toBeUndefined();
  });

  it("a stale event naming an older head, handled last, does not decide the head's check", async () => {
    const { gh, app } = world();
    const oldHead = gh.pull().headSha;
    const review = gh.review(7, CAROL, "APPROVED");
    const stale = gh.reviewEvent("submitted", review); // names the old head, approved there
    gh.push(7, { message: "Sneaky follow-up" });
    await app.receive("pull_request", gh.pullEvent("synchronize"));
    await app.receive("pull_request_review", stale);

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.summary).toContain("approved an older commit");
    expect(gh.checkRuns.filter((r) => r.head_sha !== oldHead).every((r) => !passes(r))).toBe(true);
  });

  it("two evaluations of one PR at once: the one that read a stale approval never has the last word", async () => {
    const { gh, app } = world();
    const review = gh.review(7, CAROL, "APPROVED");
    // The first evaluation reads the reviews (with the approval) at once, but the answer is held.
    const reviewsAnswered = deferred();
    gh.faults.add({
      id: "held reviews",
      match: { path: /\/pulls\/7\/reviews$/ },
      times: 1,
      action: { type: "hold", until: reviewsAnswered.promise },
    });
    const first = app.receive("pull_request_review", gh.reviewEvent("submitted", review));
    expect(await until(() => gh.requestsTo(/\/pulls\/7\/reviews$/).length === 1, 10_000)).toBe(true);
    // Meanwhile the approval is dismissed, and its event arrives while the first evaluation runs.
    review.state = "DISMISSED";
    const second = app.receive("pull_request_review", gh.reviewEvent("dismissed", review));
    expect(await until(() => app.services.coalescer.coalesced === 1, 10_000)).toBe(true);
    reviewsAnswered.resolve();
    await Promise.all([first, second]);

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.summary).toContain("review was dismissed");
    // One evaluation at a time per PR: the second started after the first, so it read the dismissal.
    expect(gh.requestsTo(/\/pulls\/7$/).length).toBeLessThanOrEqual(2);
  });

  it("a burst of events for one PR is evaluated at most twice and ends in the right state", async () => {
    const { gh, app } = world();
    const review = gh.review(7, CAROL, "APPROVED");
    // The first run's read of the PR is answered once the other three events have reached the gate.
    const allQueued = until(() => app.services.coalescer.coalesced === 3, 10_000);
    gh.faults.add({ id: "held PR read", match: { path: /\/pulls\/7$/ }, times: 1, action: { type: "hold", until: allQueued } });
    await Promise.all([
      app.receive("pull_request", gh.pullEvent("edited")),
      app.receive("pull_request", gh.pullEvent("labeled")),
      app.receive("pull_request_review", gh.reviewEvent("submitted", review)),
      app.receive("pull_request", gh.pullEvent("edited")),
    ]);

    expect(passes(gh.check())).toBe(true);
    expect(gh.requestsTo(/\/pulls\/7$/).length).toBeLessThanOrEqual(2);
  });
});

describe("a PR that changed since the event", () => {
  async function closedMeanwhile(change: { state: "closed"; merged: boolean }) {
    const { gh, app, pull } = world();
    const payload = gh.pullEvent("synchronize"); // says open
    Object.assign(pull, change);

    await app.receive("pull_request", payload);

    // Nothing that passes, whatever else happens…
    expect(gh.checkRuns.some(passes)).toBe(false);
    // …and no writes at all: closed pull requests are not evaluated (README).
    expect(gh.writes.filter((w) => !w.includes("access_tokens"))).toEqual([]);
  }

  // The API, not the payload, says whether the PR is still open.
  it("a webhook for a PR closed meanwhile writes no check and no label", () => closedMeanwhile({ state: "closed", merged: false }));

  it("a webhook for a PR merged meanwhile writes no check and no label", () => closedMeanwhile({ state: "closed", merged: true }));

  it("a webhook that says closed is not evaluated at all", async () => {
    const { gh, app, pull } = world();
    pull.state = "closed";
    await app.receive("pull_request", gh.pullEvent("edited"));
    expect(gh.requests).toEqual([]);
  });
});

describe("lost webhooks", () => {
  it("a lost approval webhook is recovered by /countersign recheck", async () => {
    const { gh, app } = world();
    await app.receive("pull_request", gh.pullEvent("opened"));
    expect(blocks(gh.check())).toBe(true);

    gh.review(7, CAROL, "APPROVED"); // its webhook never arrives
    await app.receive("issue_comment", issueCommentEvent("/countersign recheck", { login: "bob", userId: 2 }));

    expect(gh.repo.reactions.map((r) => ({ comment: r.commentId, content: r.content }))).toEqual([{ comment: 5150, content: "eyes" }]);
    expect(passes(gh.check())).toBe(true);
  });

  it("a lost dismissal webhook leaves a stale pass that /countersign recheck closes", async () => {
    const { gh, app } = world();
    const review = gh.review(7, CAROL, "APPROVED");
    await app.receive("pull_request_review", gh.reviewEvent("submitted", review));
    expect(passes(gh.check())).toBe(true);

    review.state = "DISMISSED"; // its webhook never arrives
    await app.receive("issue_comment", issueCommentEvent("/countersign recheck"));

    expect(blocks(gh.check())).toBe(true);
  });

  function rerequested(gh: GitHubSession, kind: "check_run" | "check_suite") {
    const payload = example(kind, "rerequested");
    const head = gh.pull().headSha;
    if (kind === "check_run") {
      Object.assign(payload.check_run as object, {
        name: "Countersign",
        head_sha: head,
        app: { id: APP_ID },
        pull_requests: [{ number: 7 }],
      });
    } else {
      Object.assign(payload.check_suite as object, { head_sha: head, app: { id: APP_ID }, pull_requests: [{ number: 7 }] });
    }
    return payload;
  }

  it.each(["check_run", "check_suite"] as const)("a lost webhook is recovered by %s.rerequested (Re-run)", async (kind) => {
    const { gh, app } = world();
    await app.receive("pull_request", gh.pullEvent("opened"));
    gh.review(7, CAROL, "APPROVED"); // its webhook never arrives

    await app.receive(kind, rerequested(gh, kind));

    expect(passes(gh.check())).toBe(true);
  });

  it("a re-run requested on another app's check named Countersign is ignored", async () => {
    const { gh, app } = world();
    const payload = rerequested(gh, "check_run");
    (payload.check_run as { app: { id: number } }).app.id = APP_ID + 1;

    await app.receive("check_run", payload);

    expect(gh.requests).toEqual([]);
  });
});
