// What a CLI command prints, captured: the Io the commands take, with stdout and stderr as strings.
import type { Io } from "../../src/cli/format.js";

export function captureIo(): Io & { stdout: string; stderr: string } {
  const io = {
    cwd: process.cwd(),
    stdout: "",
    stderr: "",
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
  };
  return io;
}
