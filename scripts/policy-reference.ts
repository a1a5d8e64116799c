// The policy's Markdown reference (docs/policy.md) and the README's built-in tables, generated from the
// JSON Schema and the built-in catalogue and rules; pure. Used by scripts/generate-schema.ts and the drift test.
import { BUILTIN_RISK_RULES } from "../src/core/builtin-risk-rules.js";
import {
  AGENT_BOT_APPS,
  AGENT_EMAILS,
  AGENT_LOGINS,
  AI_APPS,
  AI_CO_AUTHOR_LOGINS,
  AI_EMAILS,
  ASSISTED_TRAILERS,
  BODY_MARKERS,
  BRANCH_PREFIXES,
  COMMIT_MARKERS,
  BUILTIN_SIGNALS,
  POLICY_SIGNALS,
  SUGGESTING_REVIEW_BOTS,
  TOOL_TRAILERS,
  type PolicySignalId,
} from "../src/core/ai-catalogue.js";
import { SCHEMA_FILE, SCHEMA_LIMITATIONS, policyJsonSchema, type JsonSchemaNode } from "../src/policy/json-schema.js";
import { POLICY_PATH } from "../src/policy/paths.js";
import { BUILTIN_SIGNAL_IDS, type BuiltinSignalId } from "../src/policy/signals.js";

/** Where the reference is committed, and the command that regenerates it and the schema. */
export const REFERENCE_FILE = "docs/policy.md";
export const GENERATE_COMMAND = "npm run generate";

// ---------------------------------------------------------------------------------------------
// The Markdown reference

interface Section {
  /** Dotted path of the mapping the table describes; "" for the top level. */
  path: string;
  node: JsonSchemaNode;
}

const code = (text: string) => (text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``);
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const anchor = (path: string) =>
  path
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");

function isMapping(node: JsonSchemaNode): boolean {
  return node.type === "object" && node.properties !== undefined;
}

/** The sections in reading order: the top level, then each mapping (and list of mappings) under it. */
function sectionsOf(root: JsonSchemaNode): Section[] {
  const sections: Section[] = [];
  const visit = (node: JsonSchemaNode, path: string) => {
    sections.push({ path, node });
    const children = Object.entries(node.properties ?? {});
    // Keys whose mappings have the same shape (signoff.tiers.low … critical) share one section.
    const shapes = new Map<string, string[]>();
    for (const [key, child] of children) {
      if (!isMapping(child)) continue;
      const shape = JSON.stringify(child);
      shapes.set(shape, [...(shapes.get(shape) ?? []), key]);
    }
    const done = new Set<string>();
    for (const [key, child] of children) {
      const childPath = path === "" ? key : `${path}.${key}`;
      if (isMapping(child)) {
        const shape = JSON.stringify(child);
        if (done.has(shape)) continue;
        done.add(shape);
        const same = shapes.get(shape)!;
        visit(child, same.length > 1 ? `${path}.{${same.join(",")}}` : childPath);
      } else if (child.items && isMapping(child.items)) {
        visit(child.items, `${childPath}[]`);
      }
    }
  };
  visit(root, "");
  return sections;
}

function sectionTitle(path: string): string {
  return path === "" ? "Top level" : path;
}

/** Which section describes a key's mapping (or its list items), for links from the parent table. */
function sectionFor(sections: Section[], node: JsonSchemaNode): Section | undefined {
  const target = isMapping(node) ? node : node.items;
  return target === undefined ? undefined : sections.find((s) => s.node === target || JSON.stringify(s.node) === JSON.stringify(target));
}

function typeOf(node: JsonSchemaNode, sections: Section[]): string {
  if (node.enum) return `one of ${node.enum.map((v) => code(String(v))).join(", ")}`;
  if (Array.isArray(node.anyOf)) {
    const values = (node.anyOf as JsonSchemaNode[]).flatMap((alt) =>
      alt.const !== undefined
        ? [code(String(alt.const))]
        : alt.type === "boolean"
          ? [code("true"), code("false")]
          : [typeOf(alt, sections)],
    );
    return `one of ${values.join(", ")}`;
  }
  const link = (words: string) => {
    const section = sectionFor(sections, node);
    return section ? `[${words}](#${anchor(sectionTitle(section.path))})` : words;
  };
  switch (node.type) {
    case "object":
      return link("mapping");
    case "array": {
      const items = node.items ?? {};
      const what = items.type === "object" ? link("mappings") : items.enum ? "values" : `${items.type ?? "value"}s`;
      const bounds = [
        node.minItems !== undefined ? `at least ${node.minItems}` : "",
        node.maxItems !== undefined ? `at most ${node.maxItems}` : "",
      ].filter(Boolean);
      return `list of ${what}${bounds.length > 0 ? ` (${bounds.join(", ")})` : ""}`;
    }
    case "integer":
    case "number": {
      const { minimum: min, maximum: max } = node;
      if (min !== undefined && max !== undefined) return `${node.type}, ${min}–${max}`;
      if (min !== undefined) return `${node.type}, at least ${min}`;
      if (max !== undefined) return `${node.type}, at most ${max}`;
      return node.type;
    }
    case "string": {
      const limits = [
        node.minLength !== undefined && node.minLength > 1 ? `at least ${node.minLength} characters` : "",
        node.maxLength !== undefined ? `at most ${node.maxLength} characters` : "",
      ].filter(Boolean);
      return limits.length > 0 ? `string (${limits.join(", ")})` : "string";
    }
    default:
      return node.type ?? "any";
  }
}

function defaultOf(node: JsonSchemaNode, required: boolean): string {
  if (required) return "required";
  if (node.default === undefined) return "—";
  if (isMapping(node)) return "—"; // the defaults of its keys, below
  if (typeof node.default === "string") return code(node.default);
  return code(JSON.stringify(node.default).replace(/,/g, ", "));
}

function sectionTable(section: Section, sections: Section[]): string[] {
  const lines = [`### ${sectionTitle(section.path)}`, ""];
  if (section.path !== "" && section.node.description) lines.push(section.node.description, "");
  lines.push("| Key | Type | Default | Description |", "|---|---|---|---|");
  const required = new Set(section.node.required ?? []);
  for (const [key, child] of Object.entries(section.node.properties ?? {})) {
    const path = section.path === "" ? key : `${section.path}.${key}`;
    const description = child.description ?? "";
    lines.push(
      `| ${code(path)} | ${cell(typeOf(child, sections))} | ${cell(defaultOf(child, required.has(key)))} | ${cell(description)} |`,
    );
  }
  lines.push("");
  return lines;
}

/** What each built-in signal looks for, from the catalogue; a new id fails to compile until it is described here. */
const SIGNAL_LOOKS_FOR: Record<BuiltinSignalId, string> = {
  "author-app": `PR author ${AI_APPS.map((a) => code(a.login)).join(", ")}`,
  "commit-agent": `commit author or committer ${[...AGENT_LOGINS, ...AGENT_EMAILS].map(code).join(", ")}, the agents' GitHub Apps ${AGENT_BOT_APPS.map((a) => code(`${a}[bot]`)).join(", ")} (not on a release commit: a version bump or a cherry-pick into a release branch), a name ending in ${code(" (aider)")}, or an AI tool's or model's name at an address no person uses (as for co-authors below)`,
  "commit-author-app": "commit author or committer linked to one of the AI apps above (except cursor[bot], which only counts as PR author)",
  "co-author-trailer": `${code("Co-authored-by")} (git's trailer syntax: blanks before the colon, folded lines, brackets optional) with a tool's own email ${AI_EMAILS.map(code).join(", ")}, ${code("claude-…@anthropic.com")}, the noreply address of an AI app or agent above or of ${AI_CO_AUTHOR_LOGINS.map(code).join(", ")} (Copilot Autofix), a tool's name form ${code("aider (<model>)")}, ${code("Copilot Autofix …")}, a tool's or model's name at the vendor's domain or at an address no person uses (${code("noreply@…")}, ${code("…bot@…")}, ${code("…agent@…")}; not the review-only bots); never a vendor's whole domain`,
  "tool-trailer": `trailers ${TOOL_TRAILERS.map(code).join(", ")}`,
  "assisted-by-trailer": `${ASSISTED_TRAILERS.map(code).join(", ")} whose value names an AI tool or model (a person's name does not count)`,
  "commit-marker": `in a commit message, the description markers below, or ${COMMIT_MARKERS.map((m) => m.name).join(", ")}`,
  "body-marker": `markers of ${BODY_MARKERS.map((m) => m.name).join(", ")}, outside blocks written by review bots`,
  disclosure: `an AI-use disclosure in the description or a commit message (squash merges carry the description) (a section headed e.g. "AI disclosure" / "Use of AI", a checked box such as ${code("[x] AI-assisted")}, a line ${code("AI used: …")}) that says AI was used; "None", "No AI", "N/A" do not count, a bare mention of a tool never does; off with ${code("detection.disclosure: false")}`,
  "agent-trace": `an Agent Trace record in a file the PR adds or changes under ${code(".agent-trace/")} (read at the head), added by the PR or naming one of its commits, with an ${code("ai")} or ${code("mixed")} contributor; off with ${code("detection.provenance: false")}`,
  "git-ai-note": `a Git AI authorship note (${code("refs/notes/ai")}) on a commit of the PR attributing lines to an agent; off with ${code("detection.provenance: false")}`,
  "branch-prefix": `head branch starting with ${BRANCH_PREFIXES.map(code).join(", ")}`,
  "agent-account": `a GitHub App account (${code("…[bot]")}) that names itself an AI agent — a login with a word ${["agent", "ai", "llm", "gpt", "swe", "coder", "droid", "autopilot", "codegen"].map(code).join(", ")} (${code("foo-agent[bot]")}, ${code("acme-ai[bot]")}) — as PR author, commit author, committer or co-author; or a git identity whose name ends in ${code("Agent")}, ${code("AI")} or ${code("Assistant")} at an address no person writes from (${code("Acme Agent <agent@acme.dev>")}) or at the product's own name (${code("Gemini CLI Agent <gemini-cli@…>")}), not CI agents, not a person's own noreply address; never a login that also names release, CI or dependency automation (${code("robot")}, ${code("release")}, ${code("ci")}, ${code("deps")}, …), never on a release commit`,
  "review-bot-suggestion": `a commit authored or co-authored by an AI review bot — ${SUGGESTING_REVIEW_BOTS.map((b) => code(`${b}[bot]`)).join(", ")} — i.e. its suggestion committed into the change (as reviewers or commenters they never count)`,
  "tool-footer": `a footer of the form ${code("🤖 Generated with [X](https://…)")} / ${code("Made with [X](…)")} for any tool X at the start of a line of a commit message or the description (or after 🤖 anywhere in a line, a footer flattened onto one line); not release, dependency or code generators (Release Please, Renovate, OpenAPI Generator, …)`,
  "prose-disclosure": `a first-person statement in a commit message or the description that a tool wrote (part of) the change: "most of this was written with <tool>", "<tool> generated the tests", "I used <tool> to write …", "AI assistance was used to implement …"; not a tool that only found, reported or reviewed something, not a denial ("no AI was used"), a condition or template text ("If you used AI …", HTML comments), quoted lines or code blocks, nor prose that merely mentions a tool`,
  "unread-commits": "a PR with more commits than GitHub lists (250): AI evidence in the rest cannot be ruled out, so the PR is gated",
  "merged-pull": `a commit of the PR that merges another PR (${code("Merge pull request #N")}, or a squash commit ending ${code("(#N)")}), or a revert of a revert, whose PR is labelled AI-assisted or shows AI evidence of its own`,
};

const POLICY_SIGNAL_KEYS: Record<PolicySignalId, string> = {
  "policy-author": "detection.authors",
  "policy-email": "detection.emails",
  "policy-trailer": "detection.trailers",
  "policy-body": "detection.body_patterns",
  "policy-branch": "detection.branch_prefixes",
  label: "detection.labels",
};

function signalTables(): string[] {
  const lines = [
    "## Built-in AI signals",
    "",
    `Each built-in signal has an id; list ids under ${code("detection.disable")} to switch them off, or set ${code("detection.builtin: false")} to switch them all off.`,
    "",
    "| Id | Meaning | Looks for |",
    "|---|---|---|",
  ];
  for (const id of BUILTIN_SIGNAL_IDS) lines.push(`| ${code(id)} | ${cell(BUILTIN_SIGNALS[id])} | ${cell(SIGNAL_LOOKS_FOR[id])} |`);
  lines.push(
    "",
    "Signals from the policy's own keys are always on (they are not affected by `detection.builtin` or `detection.disable`):",
    "",
    "| Id | Meaning | Key |",
    "|---|---|---|",
  );
  for (const [id, meaning] of Object.entries(POLICY_SIGNALS) as [PolicySignalId, string][]) {
    lines.push(`| ${code(id)} | ${cell(meaning)} | ${code(POLICY_SIGNAL_KEYS[id])} |`);
  }
  lines.push("");
  return lines;
}

function ruleConditions(rule: (typeof BUILTIN_RISK_RULES)[number]): string {
  const parts: string[] = [];
  if (rule.paths) parts.push(`paths ${rule.paths.map(code).join(", ")}`);
  if (rule.changed_lines !== undefined) parts.push(`at least ${rule.changed_lines} changed lines`);
  if (rule.changed_files !== undefined) parts.push(`at least ${rule.changed_files} changed files`);
  if (rule.deleted_files !== undefined) parts.push(`at least ${rule.deleted_files} deleted files`);
  if (rule.components !== undefined) parts.push(`at least ${rule.components} components`);
  if (rule.content) parts.push(`content ${rule.content.map((c) => code(`/${c}/`)).join(", ")}`);
  return parts.join("; ");
}

function riskRuleTable(): string[] {
  const lines = [
    "## Built-in risk rules",
    "",
    `These apply unless ${code("risk.builtin: false")}; a policy's ${code("risk.rules")} are added to them, and a pull request gets the highest tier any rule gives it.`,
    "",
    "| Tier | Why | When |",
    "|---|---|---|",
  ];
  for (const rule of BUILTIN_RISK_RULES) lines.push(`| ${code(rule.tier)} | ${cell(rule.reason)} | ${cell(ruleConditions(rule))} |`);
  lines.push(
    "",
    "Whatever the policy says:",
    "",
    `- a change to the policy file itself (${code(POLICY_PATH)}) is ${code("critical")};`,
    `- a pull request with more files or commits than GitHub lets the app read (3000 files, 250 commits) is ${code("critical")}, because the rest cannot be assessed.`,
    "",
  );
  return lines;
}

/** docs/policy.md: one table per section of the policy, the built-in AI signals and the built-in risk rules. */
export function policyReferenceMarkdown(schema: JsonSchemaNode = policyJsonSchema()): string {
  const sections = sectionsOf(schema);
  const lines = [
    `<!-- Generated from src/policy/schema.ts by scripts/generate-schema.ts. Do not edit: run \`${GENERATE_COMMAND}\`. -->`,
    "",
    "# Policy reference",
    "",
    schema.description ?? "",
    "",
    `Every key is optional. Check a file with ${code("countersign validate")} ([cli.md](cli.md) says how to install it, or use the GitHub Action).`,
    `For completion and checking in your editor, point it at the JSON Schema: every Countersign deployment serves it at ${code("https://<your app host>/schema/countersign.schema.json")} (it is also ${code(SCHEMA_FILE)} in the repository). With the YAML language server (VS Code's YAML extension), put this on the first line of the policy file:`,
    "",
    "```yaml",
    "# yaml-language-server: $schema=https://<your app host>/schema/countersign.schema.json",
    "```",
    "",
    "The schema checks what `countersign validate` checks, except:",
    "",
    ...Object.values(SCHEMA_LIMITATIONS).map((text) => `- ${text}.`),
    "",
    "## Keys",
    "",
  ];
  for (const section of sections) lines.push(...sectionTable(section, sections));
  lines.push(...signalTables(), ...riskRuleTable());
  return `${lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}

export const README_FILE = "README.md";
const README_START = "<!-- generated:builtins:start -->";
const README_END = "<!-- generated:builtins:end -->";

/** The built-in signal and risk-rule tables, one heading level down, for the README. */
export function builtinsMarkdown(): string {
  const lines = [...signalTables(), ...riskRuleTable()].map((line) => (line.startsWith("## ") ? `#${line}` : line));
  return lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** The README with its generated block replaced; the README's own prose is left as it is. */
export function readmeWithBuiltins(readme: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`${README_FILE} lacks the ${README_START} … ${README_END} markers`);
  return `${readme.slice(0, start + README_START.length)}\n${builtinsMarkdown()}\n${readme.slice(end)}`;
}
