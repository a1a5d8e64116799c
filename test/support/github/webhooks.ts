// Webhook deliveries to the app under test: payloads built from the simulator's state, signed as GitHub signs them.
import { createHmac, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { pullJson, repoJson, reviewJson, userJson, type GitHubModel, type SimReview } from "./model.js";

export type Signature = "valid" | "invalid" | "none";

export interface Delivery {
  id: string;
  event: string;
  status: number;
  /** performance.now() when the POST was sent and when its answer arrived (Probot answers after its handlers, or 202 after 9 s). */
  sentAt: number;
  answeredAt: number;
}

/** GitHub's X-Hub-Signature-256 for a body. */
export function sign(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export interface SendOptions {
  /** X-GitHub-Delivery; a fresh UUID by default (reuse one to simulate a duplicate delivery). */
  deliveryId?: string;
  signature?: Signature;
  timeoutMs?: number;
}

/** POST one webhook to the app and wait for its answer. */
export async function deliver(url: string, secret: string, event: string, payload: object, options: SendOptions = {}): Promise<Delivery> {
  const body = JSON.stringify(payload);
  const id = options.deliveryId ?? randomUUID();
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/simulator",
    "x-github-event": event,
    "x-github-delivery": id,
  };
  const signature = options.signature ?? "valid";
  if (signature === "valid") headers["x-hub-signature-256"] = sign(secret, body);
  if (signature === "invalid") headers["x-hub-signature-256"] = sign(`${secret}-wrong`, body);
  const sentAt = performance.now();
  let status = 0;
  try {
    const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
    status = res.status;
    await res.arrayBuffer();
  } catch {
    status = 0; // no answer (connection refused, reset, or our timeout)
  }
  return { id, event, status, sentAt, answeredAt: performance.now() };
}

/** Payload builders: the fields Probot and the app read, shaped as GitHub sends them. */
export class PayloadFactory {
  constructor(
    private readonly model: GitHubModel,
    private readonly installationId: number,
  ) {}

  private common(owner: string, repo: string, sender: string) {
    const r = this.model.mustRepo(owner, repo);
    const org = this.model.user(owner);
    return {
      repository: repoJson(r, org),
      organization: { login: org.login, id: org.id, node_id: `O_${org.id}` },
      installation: { id: this.installationId, node_id: `I_${this.installationId}` },
      sender: userJson(this.model.user(sender)),
    };
  }

  /** pull_request.<action> for the PR as it is now (synchronize carries before/after). */
  pullRequest(
    action: string,
    owner: string,
    repo: string,
    number: number,
    options: { sender?: string; before?: string; label?: string } = {},
  ): object {
    const { repo: r, pull } = this.model.mustPull(owner, repo, number);
    return {
      action,
      number,
      pull_request: pullJson(this.model, r, pull),
      ...(action === "synchronize" ? { before: options.before ?? "0".repeat(40), after: pull.headSha } : {}),
      ...(options.label ? { label: { name: options.label, color: "ededed" } } : {}),
      ...(action === "edited" ? { changes: {} } : {}),
      ...this.common(owner, repo, options.sender ?? pull.user.login),
    };
  }

  /** pull_request_review.<action> for one review. */
  review(action: "submitted" | "edited" | "dismissed", owner: string, repo: string, number: number, review: SimReview): object {
    const { repo: r, pull } = this.model.mustPull(owner, repo, number);
    return {
      action,
      review: reviewJson(review),
      pull_request: pullJson(this.model, r, pull),
      ...this.common(owner, repo, review.user.login),
    };
  }

  /** issue_comment.created on a PR (e.g. "/countersign recheck"). */
  comment(owner: string, repo: string, number: number, author: string, body: string): object {
    const { repo: r, pull } = this.model.mustPull(owner, repo, number);
    const base = pullJson(this.model, r, pull);
    return {
      action: "created",
      issue: { ...base, pull_request: { url: "" } },
      comment: { id: this.model.nextId(), body, user: userJson(this.model.user(author)), created_at: new Date().toISOString() },
      ...this.common(owner, repo, author),
    };
  }

  /** push to a branch, listing the changed paths in one commit. */
  push(
    owner: string,
    repo: string,
    ref: string,
    changed: { added?: string[]; modified?: string[]; removed?: string[] },
    sender: string,
  ): object {
    return {
      ref,
      before: "0".repeat(40),
      after: this.model.newSha("push"),
      commits: [
        {
          id: this.model.newSha("push-commit"),
          message: "push",
          added: changed.added ?? [],
          modified: changed.modified ?? [],
          removed: changed.removed ?? [],
        },
      ],
      ...this.common(owner, repo, sender),
    };
  }
}
