// Closing check writes that wait at the same time go to GitHub together: one GraphQL request with one
// `createCheckRun` or `updateCheckRun` mutation per check (GitHub runs the mutations of a request in
// order), so it spends one write slot where the REST writes would spend one each. Under load, when
// several PRs' gates close within the same second, the last of them no longer waits a second per
// PR ahead of it (issue #15). Only closing writes ride together: every other write keeps its own slot
// and its own order.
//
// This file is the translation, REST body → GraphQL input and GraphQL answer → REST-shaped answer;
// who rides with whom is github/write-turns.ts, and the request itself is sent by github/publisher.ts.
import type { CheckAnnotation } from "../core/render.js";

/** A check write GraphQL can make: the node ids it needs are known. */
export type BatchableCheckWrite =
  | { op: "create"; repositoryId: string; body: CheckWriteBody }
  | { op: "update"; repositoryId: string; checkRunId: string; body: CheckWriteBody };

/** The REST body of a check write, as publisher.ts sends it. */
export interface CheckWriteBody {
  name?: string;
  head_sha?: string;
  status: "in_progress" | "completed";
  conclusion?: string;
  output: { title: string; summary: string; text?: string; annotations?: CheckAnnotation[] };
}

/** At most this many mutations in one request (GitHub documents no limit; this keeps a request small). */
export const MAX_BATCH = 10;

/** The GraphQL request for `writes`, in order: aliases w0, w1, … and one input variable each. */
export function checkBatchRequest(writes: BatchableCheckWrite[], now = new Date()): { query: string; variables: Record<string, unknown> } {
  const declarations = writes.map((w, i) => `$i${i}: ${w.op === "create" ? "CreateCheckRunInput" : "UpdateCheckRunInput"}!`);
  const fields = writes.map((w, i) => `w${i}: ${w.op}CheckRun(input: $i${i}) { checkRun { id databaseId } }`);
  const variables = Object.fromEntries(writes.map((w, i) => [`i${i}`, checkRunInput(w, now)]));
  return { query: `mutation CountersignClosingChecks(${declarations.join(", ")}) { ${fields.join(" ")} }`, variables };
}

function checkRunInput(w: BatchableCheckWrite, now: Date): Record<string, unknown> {
  const { body } = w;
  const output = {
    title: body.output.title,
    summary: body.output.summary,
    ...(body.output.text ? { text: body.output.text } : {}),
    ...(body.output.annotations?.length ? { annotations: body.output.annotations.map(annotationInput) } : {}),
  };
  const state =
    body.status === "completed"
      ? { status: "COMPLETED", conclusion: (body.conclusion ?? "failure").toUpperCase(), completedAt: now.toISOString() }
      : { status: "IN_PROGRESS" };
  return w.op === "create"
    ? { repositoryId: w.repositoryId, name: body.name, headSha: body.head_sha, ...state, output }
    : { repositoryId: w.repositoryId, checkRunId: w.checkRunId, ...state, output };
}

function annotationInput(a: CheckAnnotation): Record<string, unknown> {
  return {
    path: a.path,
    location: { startLine: a.start_line, endLine: a.end_line },
    annotationLevel: a.annotation_level.toUpperCase(),
    message: a.message,
    ...(a.title ? { title: a.title } : {}),
  };
}

/** One write's share of the answer: the check run it wrote (REST-shaped), or why it was not written. */
export type CheckBatchResult = { ok: true; data: { id: number; node_id: string } } | { ok: false; error: string };

/** Split a GraphQL answer (`{ data, errors }`) into one result per write, in order. */
export function checkBatchResults(answer: unknown, count: number): CheckBatchResult[] {
  const { data, errors } = (answer ?? {}) as {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message?: string; path?: unknown[] }>;
  };
  return Array.from({ length: count }, (_, i): CheckBatchResult => {
    const alias = `w${i}`;
    const error = errors?.find((e) => Array.isArray(e.path) && e.path[0] === alias) ?? (data ? undefined : errors?.[0]);
    const run = (data?.[alias] as { checkRun?: { id?: unknown; databaseId?: unknown } } | null | undefined)?.checkRun;
    if (!error && typeof run?.databaseId === "number" && typeof run.id === "string") {
      return { ok: true, data: { id: run.databaseId, node_id: run.id } };
    }
    return { ok: false, error: error?.message ?? `GitHub's answer has no check run for ${alias}` };
  });
}
