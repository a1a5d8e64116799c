#!/usr/bin/env node
// The `countersign` command: parses the command name and hands over; the commands live beside it.
import { readFileSync } from "node:fs";
import { closestKey } from "../policy/keys.js";
import { nearValue } from "../policy/problems.js";
import { runCheck } from "./check.js";
import { runReport } from "./report.js";
import { CliError, EXIT_ERROR, EXIT_OK, type Io } from "./format.js";
import { GitError } from "./git.js";
import { runValidate } from "./validate.js";

const USAGE = `Usage: countersign <command> [options]

Commands:
  validate [file...]   check a policy file (default: .github/countersign.yml; - reads standard input)
  check [options]      run Countersign's rules on a local branch (see: countersign check --help)
  report [options]     merged PRs: reverts AI vs others, sign-off load and waits, overrides, bypasses
                       (reads GitHub with GITHUB_TOKEN; see: countersign report --help)

Options:
  -h, --help           show this help
  -v, --version        show the version

validate and check work offline. Docs: docs/cli.md and docs/policy.md.`;

const COMMANDS: Record<string, (argv: string[], io: Io) => Promise<number>> = {
  validate: runValidate,
  check: runCheck,
  report: (argv, io) => runReport(argv, io),
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
  return pkg.version ?? "unknown";
}

async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.err(`${USAGE}\n`);
    return EXIT_ERROR;
  }
  if (command === "-h" || command === "--help" || command === "help") {
    io.out(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (command === "-v" || command === "--version") {
    io.out(`${version()}\n`);
    return EXIT_OK;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (run === undefined) {
    const near = closestKey(command, Object.keys(COMMANDS)) ?? nearValue(command, Object.keys(COMMANDS));
    io.err(`countersign: unknown command ${JSON.stringify(command)}${near ? `; did you mean "${near}"?` : ""}\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  try {
    return await run(rest, io);
  } catch (err) {
    // Known failures are the user's to fix: say what, without a stack. Anything else is a bug.
    const parseError = (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true;
    if (err instanceof CliError || err instanceof GitError || parseError) {
      // node:util's parseArgs explains how to pass "-x" as a value: noise for this tool.
      const message = (err as Error).message.replace(/\. To specify a positional argument[\s\S]*$/, "");
      io.err(`countersign ${command}: ${message}\n${parseError ? `Run "countersign ${command} --help" for usage.\n` : ""}`);
      return EXIT_ERROR;
    }
    throw err;
  }
}

const io: Io = {
  cwd: process.cwd(),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`countersign: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = EXIT_ERROR;
  },
);
