// `countersign validate [file...]`: checks policy files offline, with the app's own validation.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { POLICY_PATH } from "../policy/paths.js";
import { validatePolicyText, type PolicyProblem } from "../policy/validate.js";
import { CliError, EXIT_INVALID_POLICY, EXIT_OK, plural, problemLine, type Io } from "./format.js";

export const VALIDATE_USAGE = `Usage: countersign validate [--format text|github] [file...]

Checks Countersign policy files (default: ${POLICY_PATH}; "-" reads the policy
from standard input) and prints each problem as "file:line: key message".
--format github also prints each problem and warning as a GitHub Actions
annotation (::error / ::warning on its file and line).

Exit status: 0 valid, 1 problems found, 2 a file could not be read or bad usage.`;

/** Reads a policy file, turning the usual failures into messages that say what to do. */
export async function readPolicyFile(cwd: string, file: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new CliError(`cannot read ${file}: no such file`);
    if (code === "EISDIR") throw new CliError(`cannot read ${file}: it is a directory`);
    if (code === "EACCES") throw new CliError(`cannot read ${file}: permission denied`);
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

/** GitHub Actions' escaping for a workflow command's message, and (more) for its properties. */
const escapeData = (text: string) => text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");

/** `::error file=…,line=…,title=…::message`: an annotation on that line of the pull request; a warning stays a warning. */
export function annotation(kind: "error" | "warning", file: string, problem: PolicyProblem): string {
  const props = [
    `file=${escapeProperty(file)}`,
    ...(problem.line !== undefined ? [`line=${problem.line}`] : []),
    ...(problem.column !== undefined ? [`col=${problem.column}`] : []),
    `title=${escapeProperty(`Countersign policy${problem.path ? `: ${problem.path}` : ""}`)}`,
  ];
  return `::${kind} ${props.join(",")}::${escapeData(problem.message)}`;
}

async function readStdin(io: Io): Promise<string> {
  if (!io.readStdin) throw new CliError("cannot read standard input here");
  return io.readStdin();
}

export async function runValidate(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h" }, format: { type: "string", default: "text" } },
  });
  if (values.format !== "text" && values.format !== "github")
    throw new CliError(`--format must be text or github, not ${JSON.stringify(values.format)}`);
  const annotate =
    values.format === "github"
      ? (kind: "error" | "warning", file: string, problem: PolicyProblem) => io.out(`${annotation(kind, file, problem)}\n`)
      : () => {};
  if (values.help) {
    io.out(`${VALIDATE_USAGE}\n`);
    return EXIT_OK;
  }
  const files = positionals.length > 0 ? positionals : [POLICY_PATH];
  if (files.filter((file) => file === "-").length > 1) throw new CliError('"-" (standard input) can be given only once');
  // Read every file first: an unreadable one is a usage error (exit 2), whatever the others say.
  const texts = await Promise.all(files.map((file) => (file === "-" ? readStdin(io) : readPolicyFile(io.cwd, file))));

  let invalid = false;
  files.forEach((name, i) => {
    const file = name === "-" ? "<stdin>" : name;
    const result = validatePolicyText(texts[i]!);
    // "file:line: warning: key message": valid, but probably not what was meant.
    for (const warning of result.warnings ?? []) {
      io.out(`${warning.line !== undefined ? `${file}:${warning.line}` : file}: warning: ${warning.path} ${warning.message}\n`);
      annotate("warning", file, warning);
    }
    if (result.ok) {
      io.out(`✓ ${file} is a valid Countersign policy\n`);
      const extended = result.policy._extends;
      if (extended !== undefined) io.out(`  note: it extends ${extended}, which is not checked here (validate that file too)\n`);
      return;
    }
    invalid = true;
    for (const problem of result.problems) {
      io.out(`${problemLine(file, problem)}\n`);
      annotate("error", file, problem);
    }
    io.out(`✗ ${file}: ${plural(result.problems.length, "problem")}\n`);
  });
  return invalid ? EXIT_INVALID_POLICY : EXIT_OK;
}
