// The GitHub Action's entry (action.yml, `runs.using: node24`): `countersign validate --format
// github` on the files of the `files` input, so each problem is an error annotation and each warning
// a warning annotation on its line. Bundled with its dependencies into dist/action.mjs (npm run
// build:action), which is committed: the Action runs in a second, with nothing to install.
import { CliError, EXIT_ERROR, type Io } from "./format.js";
import { runValidate } from "./validate.js";

/** The `files` input: paths separated by white space, never glob-expanded. */
export function filesInput(env: NodeJS.ProcessEnv): string[] {
  return (env.INPUT_FILES ?? "").split(/\s+/).filter((file) => file !== "");
}

export async function runAction(env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  try {
    return await runValidate(["--format", "github", "--", ...filesInput(env)], io);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    io.out(`::error title=Countersign policy::${err.message.replace(/%/g, "%25").replace(/\r?\n/g, "%0A")}\n`);
    return EXIT_ERROR;
  }
}

runAction(process.env, {
  cwd: process.env.GITHUB_WORKSPACE || process.cwd(),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`countersign: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = EXIT_ERROR;
  },
);
