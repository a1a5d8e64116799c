// Reads an explicit AI-use disclosure in a PR description (a section, a checkbox, a "key: value"
// line); pure and linear in the description's length. A bare mention of a tool is never a disclosure.
import { findProseDisclosures } from "./ai-families.js";

/** A disclosure that says AI was used, with the line that says so. */
export interface Disclosure {
  evidence: string;
}

const AI_TERM = String.raw`(?:AI|A\.I\.|LLMs?|GenAI|generative AI|artificial intelligence|AI[- ]assist(?:ed|ance)|AI[- ]generated)`;

/** Headings (Markdown "#", bold-only lines) that open an AI disclosure section. */
const HEADING_LINE = /^\s{0,3}(?:#{1,6}\s+(.+?)\s*#*\s*$|(?:\*\*|__)(.+?)(?:\*\*|__):?\s*$)/;
const DISCLOSURE_TITLE = new RegExp(
  String.raw`^(?:[^\w]*\s*)?(?:${AI_TERM}\s+(?:usage|use|used|tools?(?: used)?|disclosure|assistance|involvement|contribution|statement)|(?:use|usage|disclosure) of (?:${AI_TERM}|AI tools?)|AI[- ](?:assisted|generated)(?: (?:code|changes|contribution))?|(?:generative )?AI policy|(?:did|have) you used? (?:any |an? )?(?:${AI_TERM}|AI tools?|coding assistants?)|was (?:${AI_TERM}|an? AI tool) used)\b[^\n]{0,40}$`,
  "i",
);

/** "AI disclosure: <value>", "AI assistance: <value>", "AI used: <value>", "AI-assisted: yes". */
const KEY_VALUE = new RegExp(
  String.raw`^\s*(?:[-*]\s+)?(?:\*\*|__)?(?:${AI_TERM}(?:\s+(?:usage|use|used|tools?(?: used)?|disclosure|assistance|involvement))?|(?:use|disclosure) of AI(?: tools?)?)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(.+)$`,
  "i",
);

/** A Markdown task-list item: "- [x] label". */
const CHECKBOX = /^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+(.+)$/;

/** Answers that say no AI was used. */
const NEGATIVE =
  /^(?:[-*\s]*)(?:none|no\b|n\/?a\b|not (?:used|applicable)|nothing|nope|0%|false)|\b(?:no|not|never|without|didn't|did not|haven't|have not|wasn't|was not|none of)\b[^.]{0,40}\b(?:AI|A\.I\.|LLM|generative|tools?|assist|used|generated|written)/i;
/** Answers that say AI was used. */
const POSITIVE = new RegExp(
  String.raw`^(?:[-*\s]*)(?:yes\b|y\b|true\b|partially\b|partly\b|some\b|mostly\b|fully\b|entirely\b|\d{1,3}\s?%|(?:I|we) (?:have )?used\b)|\b(?:used|using|with|by|via|help of|assisted|generated|written)\b.{0,40}\b(?:${AI_TERM}|assistant|agent|model)\b`,
  "i",
);
/** A checkbox label that affirms AI use: "I used AI", "AI-assisted", "generated with Claude Code". */
const CHECKBOX_AFFIRMS = new RegExp(
  String.raw`(?:\b(?:I|we)\s+(?:have\s+)?(?:used|use|made use of|relied on)\b.{0,60}\b(?:${AI_TERM}|an? (?:AI|LLM)|coding (?:agent|assistant))|\b${AI_TERM}\b.{0,30}\b(?:was|were|has been|have been)\s+used|^(?:this (?:PR|pull request|change|code) (?:is|was|contains)\s+)?(?:${AI_TERM}|partially AI|fully AI)[- ](?:assisted|generated|written)\b|\b(?:written|generated|created|co-?authored|assisted|produced)\s+(?:with|by|using)\s+(?:the\s+help\s+of\s+)?(?:an?\s+)?${AI_TERM})`,
  "i",
);
/** A tool named in a disclosure answer counts as "AI was used" (within a disclosure only). */
const TOOL_NAMED =
  /(?<![A-Za-z0-9])(?:copilot|cursor|codex|chatgpt|gpt-?\d|claude|gemini|aider|windsurf|devin|jules|amazon q|kiro|openhands|opencode|amp|cody|llama|mistral|qwen|deepseek)(?![A-Za-z])/i;

/**
 * Template text the author was meant to replace: "If you used AI, describe how; otherwise enter
 * N/A", "Please list any AI tools used (e.g. Copilot)", a question. Not an answer either way.
 */
const TEMPLATE =
  /\b(?:if (?:you|so|any|applicable|yes)|otherwise,? (?:enter|write|put|leave|state|say|type|mark|select)|describe|please|e\.g\.|fill (?:in|out)|replace this|delete this|specify|(?:enter|write|put|type) ["'`]?n\/?a)\b|\?\s*[_*]*\s*$/i;

/** Credits for finding, reporting or reviewing: a tool that only found the bug did not write the change. */
const FOUND_ONLY =
  /\b(?:found|find|finding|reported|reporting|spotted|identified|discovered|caught|flagged|detected|pointed out|noticed|reviewed|reviewing|investigated|diagnosed|triaged)\b/i;

/** HTML comments, as templates use for instructions the author is meant to replace. */
function withoutComments(text: string): string {
  return text.replace(/<!--[\s\S]*?(?:-->|$)/g, "");
}

/** Whether a free-text answer says AI was used (a "no" always wins, and never overrides elsewhere). */
function answerSaysUsed(answer: string): boolean {
  const a = answer.trim().replace(/^[*_`>\s]+|[*_`\s]+$/g, "");
  if (a === "") return false;
  if (NEGATIVE.test(a) || TEMPLATE.test(a)) return false;
  // "the bug was found by Claude": a credit for finding is no disclosure, unless the answer also says the tool wrote something.
  if (FOUND_ONLY.test(a) && findProseDisclosures(a).length === 0 && !WROTE_WITH.test(a)) return false;
  return POSITIVE.test(a) || TOOL_NAMED.test(a) || CHECKBOX_AFFIRMS.test(a) || (DID_WORK.test(a) && !BY_HAND.test(a));
}

/** An answer that credits a person: "Written by hand", "all mine". */
const BY_HAND = /\b(?:by hand|manually|myself|hand-?written|human-?written|by me|all mine|my own)\b/i;

/** Under an AI-use key or heading, an answer that says the AI did work: "implemented and benchmarked by …", "lots of … help". */
const DID_WORK =
  /\b(?:implemented|implementation|written|wrote|drafted|developed|generated|did|done|helped|help|assisted|assistance|driven|test writing|produced|refactor(?:ed|ing)|coded|co-?authored|pair(?:ed)?)\b/i;

/** "written with Claude Code", "generated by Copilot": a writing verb with the tool. */
const WROTE_WITH =
  /\b(?:wr[io]te|written|generated?|implemented|coded|authored|drafted|produced|refactored|co-?written|assisted|helped(?: (?:me|us))?(?: to)? (?:write|implement|code|fix))\b.{0,30}\b(?:with|by|using|via)\b|\band (?:then |also )?(?:wrote|implemented|generated|coded|fixed) (?:the|a|it|this)\b/i;

function checkedAffirms(label: string): boolean {
  return !NEGATIVE.test(label) && CHECKBOX_AFFIRMS.test(label);
}

/**
 * The disclosures in a description that say AI was used: a checked box that affirms it, a
 * "key: value" line whose value says so, or an AI-disclosure section whose content says so (a
 * checked box in it, or its first line of prose). "None", "No AI", "N/A" are not disclosures.
 */
export function findDisclosures(body: string): Disclosure[] {
  const found: Disclosure[] = [];
  const lines = withoutComments(body.replace(/\r\n?/g, "\n")).split("\n");
  let inSection = false;
  let sectionAnswered = false;
  for (const raw of lines) {
    const line = raw.trimEnd();
    const heading = HEADING_LINE.exec(line);
    if (heading) {
      const title = (heading[1] ?? heading[2] ?? "").trim();
      inSection = DISCLOSURE_TITLE.test(title);
      sectionAnswered = false;
      // A heading with its answer on the same line: "## AI assistance: Claude Code".
      const kv = KEY_VALUE.exec(title);
      if (inSection && kv && answerSaysUsed(kv[1]!)) found.push({ evidence: line.trim() });
      continue;
    }
    const box = CHECKBOX.exec(line);
    if (box) {
      if (box[1]!.toLowerCase() === "x" && checkedAffirms(box[2]!)) found.push({ evidence: line.trim() });
      // In a disclosure section a checked box naming a tool is an answer too: "- [x] Claude Code".
      else if (inSection && box[1]!.toLowerCase() === "x" && !NEGATIVE.test(box[2]!) && TOOL_NAMED.test(box[2]!)) {
        found.push({ evidence: line.trim() });
      }
      if (inSection) sectionAnswered = true;
      continue;
    }
    const kv = KEY_VALUE.exec(line);
    if (kv) {
      if (answerSaysUsed(kv[1]!)) found.push({ evidence: line.trim() });
      if (inSection) sectionAnswered = true;
      continue;
    }
    // The first line of prose under a disclosure heading is its answer.
    if (inSection && !sectionAnswered && line.trim() !== "") {
      // Template instructions above the answer are not the answer: read on.
      if (TEMPLATE.test(line.trim().replace(/^[*_`>\s]+|[*_`\s]+$/g, ""))) continue;
      sectionAnswered = true;
      if (answerSaysUsed(line)) found.push({ evidence: line.trim() });
    }
  }
  return found;
}
