// The catalogue's tool identities, commit markers, git trailer syntax and disclosures: each rule
// with the hard negative it must not catch.
import { describe, expect, it } from "vitest";
import { detectAiAssistance, parseTrailers } from "../../src/core/detect.js";
import { findDisclosures } from "../../src/core/disclosure.js";
import type { PullSnapshot } from "../../src/core/types.js";
import { PolicySchema, type PolicyInput } from "../../src/policy/schema.js";
import { makeCommit, makeIdentity, makeSnapshot } from "../helpers/snapshot.js";

const policy = (input: PolicyInput = {}) => PolicySchema.parse(input);
const signals = (snapshot: PullSnapshot, p = policy()) => detectAiAssistance(snapshot, p).signals.map((s) => [s.id, s.evidence]);
const message = (text: string) => makeSnapshot({ commits: [makeCommit({ message: text })] });
const authoredBy = (name: string, email: string, text = "Fix the cart") =>
  makeSnapshot({ commits: [makeCommit({ message: text, author: makeIdentity(name, email) })] });

describe("co-authors: the tools' own identities, never a vendor's staff", () => {
  it.each<[string, string, boolean]>([
    ["Claude Code's address", "Co-Authored-By: Claude Opus 4.6 (1M context) <noreply@anthropic.com>", true],
    ["Claude's own local part", "Co-authored-by: Claude 3.5 Sonnet <claude-3-5-sonnet@anthropic.com>", true],
    ["the tool's name at the vendor", "Co-authored-by: Claude Code <claude@anthropic.com>", true],
    ["OpenHands with a model", "Co-authored-by: OpenHands-Gemini <openhands@all-hands.dev>", true],
    ["no angle brackets", "Co-authored-by: OpenHands-GPT-5 openhands@all-hands.dev", true],
    ["aider's name form, any address", "Co-authored-by: aider (vertex_ai/gemini-2.5-pro) <noreply@aider.dev>", true],
    ["Copilot's other account id", "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>", true],
    [
      "Copilot Autofix",
      "Co-authored-by: Copilot Autofix powered by AI <62310815+github-advanced-security[bot]@users.noreply.github.com>",
      true,
    ],
    [
      "an AI app's noreply address",
      "Co-authored-by: google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>",
      true,
    ],
    ["opencode", "Co-Authored-By: opencode <noreply@opencode.ai>", true],
    [
      "a model-named co-author at a bot address",
      "Co-authored-by: Gemini 3 Pro (High) via Google Antigravity <gemini-bot@google.com>",
      true,
    ],
    [
      "a tool naming its model at a noreply address",
      "Co-Authored-By: kdeps (Cloud/deepseek - deepseek-reasoner) <noreply@kdeps.com>",
      true,
    ],
    ["a tool word at a person's address", "Co-authored-by: Cursor Fan <cursor.fan@example.com>", false],
    ["an agent address without a tool's name", "Co-authored-by: Helper <agent@example.com>", false],
    ["staff at anthropic.com", "Co-authored-by: Ashwin Example <ashwin@anthropic.com>", false],
    ["staff at all-hands.dev", "Co-authored-by: Calvin Example <calvin@all-hands.dev>", false],
    ["a person named Claude at the vendor", "Co-authored-by: Claude Dupont <claude.dupont@anthropic.com>", false],
    ["a person at github.com", "Co-authored-by: Sam Example <sam@github.com>", false],
    ["dependabot", "Co-authored-by: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>", false],
    ["a person without brackets", "Co-authored-by: Jay Example", false],
  ])("%s", (_name, trailer, ai) => {
    const found = signals(message(`Tidy the cart\n\n${trailer}`));
    expect(found).toEqual(ai ? [["co-author-trailer", trailer]] : []);
  });
});

describe("agent identities as commit author or committer", () => {
  it.each<[string, string, string, string | undefined]>([
    ["Claude Code on the web", "Claude", "noreply@anthropic.com", "commit-agent"],
    ["Codex cloud", "Codex", "codex@openai.com", "commit-agent"],
    ["OpenDevin", "OpenDevin", "opendevin@opendevin.ai", "commit-agent"],
    ["OpenHands' old sandbox", "OpenHands", "opendevin@all-hands.dev", "commit-agent"],
    ["MentatBot, quoted email", "MentatBot", '\\"160964065+MentatBot@users.noreply.github.com\\"', "commit-author-app"],
    ["codeflash", "codeflash-ai[bot]", "148906541+codeflash-ai[bot]@users.noreply.github.com", "commit-author-app"],
    ["Copilot's second account id", "Copilot", "223556219+Copilot@users.noreply.github.com", "commit-author-app"],
    ["a tool's name at a bot address", "Gemini CLI", "gemini-cli-bot@example.com", "commit-agent"],
    ["GitHub's web-flow committer", "GitHub", "noreply@github.com", undefined],
    ["a person named Claude", "Claude Monet", "claude@example.com", undefined],
    ["vendor staff", "Boris Example", "boris@anthropic.com", undefined],
    ["a person named Jules", "Jules Verne", "12+jules@users.noreply.github.com", undefined],
    ["renovate", "renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com", undefined],
  ])("%s", (_name, name, email, id) => {
    const found = signals(authoredBy(name, email)).map(([signal]) => signal);
    expect(found).toEqual(id ? [id] : []);
  });
});

describe("markers in commit messages", () => {
  it.each<[string, string, string | undefined]>([
    ["early aider subject", "aider: Added --foo switch\n\nUSER: add it", "aider: Added --foo switch"],
    ["aider transcript heading", "Add switch\n\n# Aider chat conversation:\n\nUSER: add it", "# Aider chat conversation:"],
    ["Claude Code session link", "Fix sync\n\nhttps://claude.ai/code/session_01ABCdef", "https://claude.ai/code/session_01ABCdef"],
    [
      "Claude Code footer",
      "Fix sync\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)",
      "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
    ],
    [
      "an agent introducing itself",
      "docs: add notes\n\nI am OpenHands-GPT-5, an AI agent. Adding notes.",
      "I am OpenHands-GPT-5, an AI agent. Adding notes.",
    ],
    ["aider: later in the message is not the subject", "Bump version\n\naider: mentioned in the changelog", undefined],
    ["a message about Claude Code", "Document how to use Claude Code with the CLI", undefined],
    ["a message discussing the footer", "Strip the 'Generated with [Claude Code]' footer from release notes", undefined],
    [
      "a Devin session link in prose",
      "Fix\n\nSee https://app.devin.ai/sessions/abc123 for the run",
      "See https://app.devin.ai/sessions/abc123 for the run",
    ],
    ["a person introducing themselves", "Hello\n\nI am Jane, a new maintainer.", undefined],
  ])("%s", (_name, text, evidence) => {
    expect(signals(message(text))).toEqual(evidence ? [["commit-marker", evidence]] : []);
  });
});

describe("tool trailers and description markers", () => {
  it.each<[string, Partial<PullSnapshot>, string, string]>([
    [
      "Claude-Generated-By",
      { commits: [makeCommit({ message: "Fix\n\nClaude-Generated-By: Claude Code (cli/claude-opus-4-5=100%)" })] },
      "tool-trailer",
      "Claude-Generated-By: Claude Code (cli/claude-opus-4-5=100%)",
    ],
    ["Made-with: Cursor", { commits: [makeCommit({ message: "Fix\n\nMade-with: Cursor" })] }, "assisted-by-trailer", "Made-with: Cursor"],
    [
      "Devin session link",
      { body: "Link to session: https://app.devin.ai/sessions/0123abcd" },
      "body-marker",
      "Link to session: https://app.devin.ai/sessions/0123abcd",
    ],
    [
      "Cursor's Open in Cursor link",
      { body: '<a href="https://cursor.com/background-agent?bcId=bc-1234"><img alt="Open in Cursor"></a>' },
      "body-marker",
      '<a href="https://cursor.com/background-agent?bcId=bc-1234"><img alt="Open in Cursor"></a>',
    ],
  ])("%s", (_name, input, id, evidence) => {
    expect(signals(makeSnapshot(input))).toEqual([[id, evidence]]);
  });

  it("Made-with naming a person is not AI", () => {
    expect(signals(message("Fix\n\nMade-with: Alice Example"))).toEqual([]);
  });
});

describe("trailers parsed as git does", () => {
  it.each<[string, string, Array<[string, string]>]>([
    [
      "blank before the colon",
      "Fix\n\nCo-Authored-By : Claude <noreply@anthropic.com>",
      [["Co-Authored-By", "Claude <noreply@anthropic.com>"]],
    ],
    [
      "tab before the colon",
      "Fix\n\nCo-authored-by\t: Claude <noreply@anthropic.com>",
      [["Co-authored-by", "Claude <noreply@anthropic.com>"]],
    ],
    ["folded value", "Fix\n\nCo-authored-by: Claude\n  <noreply@anthropic.com>", [["Co-authored-by", "Claude <noreply@anthropic.com>"]]],
    [
      "empty value folded",
      "Fix\n\nCo-authored-by:\n Claude <noreply@anthropic.com>",
      [["Co-authored-by", "Claude <noreply@anthropic.com>"]],
    ],
    ["mid-message (squash merge)", "Squash\n\n* one\n\nCo-authored-by: A <a@x.io>\n\n* two", [["Co-authored-by", "A <a@x.io>"]]],
    ["a URL is not a trailer", "See\nhttps://example.com/x", []],
    ["an indented line is not a trailer", "Fix\n\n  Co-authored-by: A <a@x.io>", []],
  ])("%s", (_name, text, expected) => {
    expect(parseTrailers(text).map((t) => [t.key, t.value])).toEqual(expected);
  });

  it("a folded co-author is detected, evidence joined on one line", () => {
    expect(signals(message("Fix\n\nCo-authored-by: Claude\n  <noreply@anthropic.com>"))).toEqual([
      ["co-author-trailer", "Co-authored-by: Claude <noreply@anthropic.com>"],
    ]);
  });
});

describe("disclosures", () => {
  it.each<[string, string, string[]]>([
    ["a section naming a tool", "## AI disclosure\nI used Claude Code to write the tests.", ["I used Claude Code to write the tests."]],
    ["a checked box", "### Use of AI\n- [x] I used AI tools to write this\n- [ ] No AI was used", ["- [x] I used AI tools to write this"]],
    ["a checked tool in the section", "## AI assistance\n- [x] Copilot\n- [ ] Claude Code", ["- [x] Copilot"]],
    ["a key: value line", "AI disclosure: Copilot autocomplete for the tests", ["AI disclosure: Copilot autocomplete for the tests"]],
    ["a checked AI-assisted box anywhere", "- [x] This PR is AI-assisted", ["- [x] This PR is AI-assisted"]],
    ["a question heading answered yes", "### Did you use AI?\nYes, for the tests", ["Yes, for the tests"]],
    ["a section answering with a person's work", "## AI disclosure\nWritten by hand", []],
    ["a feature heading is not a disclosure", "## AI usage limits\nRequests made with the OpenAI client are rate limited.", []],
    ["a section answering None", "## AI disclosure\nNone", []],
    ["a section answering No AI", "## AI Assistance\nNo AI was used.", []],
    ["the 'no AI' box checked", "### Use of AI\n- [ ] I used AI tools\n- [x] No AI tools were used", []],
    ["N/A", "AI disclosure: N/A", []],
    ["the template's comment only", "## AI disclosure\n<!-- Say which tool you used, or None -->\n", []],
    ["a bare mention of a tool", "Fix Copilot integration and cursor pagination", []],
    ["prose about an AI feature", "## Description\nThis adds AI-powered search. I used the OpenAI API.", []],
    ["a checked box about the policy", "- [x] I have read the AI policy", []],
  ])("%s", (_name, body, expected) => {
    expect(findDisclosures(body).map((d) => d.evidence)).toEqual(expected);
  });

  it("is the disclosure signal, and a 'no AI' disclosure never overrides other evidence", () => {
    const body = "## AI disclosure\nNo AI was used.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)";
    expect(signals(makeSnapshot({ body })).map(([id]) => id)).toEqual(["body-marker"]);
    expect(signals(makeSnapshot({ body: "## AI disclosure\nWritten with Cursor." }))).toEqual([["disclosure", "Written with Cursor."]]);
  });

  it("is off with detection.disclosure: false, or disabled by id", () => {
    const snapshot = makeSnapshot({ body: "## AI disclosure\nWritten with Cursor." });
    expect(signals(snapshot, policy({ detection: { disclosure: false } }))).toEqual([]);
    expect(signals(snapshot, policy({ detection: { disable: ["disclosure"] } }))).toEqual([]);
  });

  it("is not read in dependency bots' descriptions (they quote release notes)", () => {
    const snapshot = makeSnapshot({ author: { login: "dependabot[bot]", type: "Bot" }, body: "AI disclosure: written with Copilot" });
    expect(signals(snapshot)).toEqual([]);
  });
});
