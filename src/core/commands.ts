import { Lexer, type Token, type Tokens } from "marked";

// Parses "/countersign <verb> [argument]" commands out of a PR comment, as GitHub shows it.

export type Command = { kind: "recheck" } | { kind: "override"; reason: string } | { kind: "unknown"; verb: string };

const COMMAND = /^\s*\/countersign(?:\s+(\S+))?(?:[ \t]+(.*))?$/im;

/** The first command in the comment, or undefined when it has none. Quoted lines ("> /countersign …") do not count. */
export function parseCommand(body: string | null | undefined): Command | undefined {
  if (!body) return undefined;
  const match = COMMAND.exec(body.replace(/\r\n/g, "\n"));
  if (!match) return undefined;
  const verb = (match[1] ?? "").toLowerCase();
  const argument = (match[2] ?? "").trim();
  if (verb === "recheck") return { kind: "recheck" };
  if (verb === "override") return { kind: "override", reason: argument };
  return { kind: "unknown", verb };
}

/**
 * The comment's plain text as GitHub renders it, as far as commands go: only the text of its
 * paragraphs, read with a Markdown lexer (marked, GitHub-flavoured). A command shown in code (fenced,
 * indented or inline), in a quote, a list, a table or an HTML comment (not rendered: a pasted template
 * must not carry an invisible override) is documentation or quoted text, not a request.
 */
export function shownText(body: string | null | undefined): string {
  if (!body) return "";
  const tokens = new Lexer({ gfm: true }).lex(body.replace(/\r\n?/g, "\n"));
  const paragraphs: string[] = [];
  for (const token of tokens) {
    if (token.type === "paragraph" || token.type === "text") paragraphs.push(plainText((token as Tokens.Paragraph).tokens ?? []));
  }
  return paragraphs.join("\n");
}

/** The text of inline tokens, without code spans and inline HTML (comments included). */
function plainText(tokens: readonly Token[]): string {
  let text = "";
  for (const token of tokens) {
    if (token.type === "codespan" || token.type === "html") continue;
    if (token.type === "br") text += "\n";
    else if ("tokens" in token && Array.isArray(token.tokens) && token.type !== "text") text += plainText(token.tokens);
    else if (token.type === "text" || token.type === "escape") text += token.raw;
  }
  return text;
}
