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
 * The comment as GitHub shows it, as far as commands go: without HTML comments (not rendered: a pasted
 * template must not carry an invisible override) and without fenced code blocks (a command shown
 * there is documentation, not a request).
 */
export function shownText(body: string | null | undefined): string {
  if (!body) return "";
  const text = body.replace(/\r\n?/g, "\n");
  let visible = "";
  let pos = 0;
  for (let start = text.indexOf("<!--"); start >= 0; start = text.indexOf("<!--", pos)) {
    visible += text.slice(pos, start);
    const end = text.indexOf("-->", start + 4);
    pos = end < 0 ? text.length : end + 3;
  }
  visible += text.slice(pos);
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of visible.split("\n")) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined) {
      if (marker) fence = marker;
      else lines.push(line);
    } else if (marker && marker[0] === fence[0] && marker.length >= fence.length && /^ {0,3}[`~]+\s*$/.test(line)) {
      fence = undefined;
    }
  }
  return lines.join("\n");
}
