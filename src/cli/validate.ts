// `countersign validate [file...]`: checks policy files offline, with the app's own validation.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { POLICY_PATH } from "../policy/paths.js";
import { validatePolicyText } from "../policy/validate.js";
import { CliError, EXIT_INVALID_POLICY, EXIT_OK, plural, problemLine, type Io } from "./format.js";

export const VALIDATE_USAGE = `Usage: countersign validate [file...]

Checks Countersign policy files (default: ${POLICY_PATH}; "-" reads the policy
from standard input) and prints each problem as "file:line: key message".

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

async function readStdin(io: Io): Promise<string> {
  if (!io.readStdin) throw new CliError("cannot read standard input here");
  return io.readStdin();
}

export async function runValidate(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h" } },
  });
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
    }
    if (result.ok) {
      io.out(`✓ ${file} is a valid Countersign policy\n`);
      const extended = result.policy._extends;
      if (extended !== undefined) io.out(`  note: it extends ${extended}, which is not checked here (validate that file too)\n`);
      return;
    }
    invalid = true;
    for (const problem of result.problems) io.out(`${problemLine(file, problem)}\n`);
    io.out(`✗ ${file}: ${plural(result.problems.length, "problem")}\n`);
  });
  return invalid ? EXIT_INVALID_POLICY : EXIT_OK;
}
