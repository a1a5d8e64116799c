// Parses "/countersign <verb> [argument]" commands out of a PR comment.

export type Command =
  | { kind: "recheck" }
  | { kind: "override"; reason: string }
  | { kind: "unknown"; verb: string };

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
