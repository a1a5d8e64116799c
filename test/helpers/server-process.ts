// The real server (src/server/main.ts, what `npm start` and the image run) as a child process,
// started from the sources through tsx in a folder of the test's choosing (no .env unless the test
// writes one), with a clean environment. Its JSON log lines are kept for assertions.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { freePort } from "./net.js";
import { rawGet } from "./raw-http.js";

const ROOT = join(import.meta.dirname, "..", "..");
const TSX = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;
const MAIN = join(ROOT, "src", "server", "main.ts");

export interface LogLine {
  level?: number;
  msg?: string;
  name?: string;
  [key: string]: unknown;
}

export class ServerProcess {
  readonly lines: string[] = [];
  readonly stderr: string[] = [];
  port = 0;
  private child: ChildProcess | undefined;
  private exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;

  constructor(
    private readonly cwd: string,
    private readonly env: Record<string, string>,
  ) {}

  get logs(): LogLine[] {
    return this.lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
  }

  async start(timeoutMs = 60_000): Promise<void> {
    this.port = await freePort();
    const child = spawn(process.execPath, ["--import", TSX, MAIN], {
      cwd: this.cwd,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: this.cwd,
        HOST: "127.0.0.1",
        PORT: String(this.port),
        LOG_FORMAT: "json",
        ...this.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.exit = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    createInterface({ input: child.stdout! }).on("line", (line) => this.lines.push(line));
    createInterface({ input: child.stderr! }).on("line", (line) => this.stderr.push(line));
    let exited = false;
    void this.exit.then(() => (exited = true));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`the server exited during start-up:\n${this.tail()}`);
      try {
        if ((await rawGet(this.port, "/ping")).body === "PONG") return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the server did not answer /ping within ${timeoutMs} ms:\n${this.tail()}`);
  }

  /** Send a signal and wait for the exit (SIGKILL after `timeoutMs`). */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.child || !this.exit) throw new Error("not started");
    this.child.kill(signal);
    const timer = setTimeout(() => this.child?.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** For afterEach: make sure nothing is left running. */
  async kill(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
      await this.exit;
    }
  }

  tail(n = 40): string {
    return [...this.lines.slice(-n), ...this.stderr.slice(-n)].join("\n");
  }
}
