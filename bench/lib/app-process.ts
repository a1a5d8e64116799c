// The built app as a real child process (as scripts/smoke.sh starts it), pointed at the simulator,
// with its JSON log parsed and its CPU time and peak RSS read from /proc.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:net";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";

export interface AppLogLine {
  at: number;
  level?: number;
  msg?: string;
  [key: string]: unknown;
}

export interface AppProcessOptions {
  /** The repository root (holds lib/ and node_modules/). */
  root: string;
  appId: number;
  webhookSecret: string;
  /** host:port of the simulator, for GHE_HOST. */
  gheHost: string;
  /** Extra environment (e.g. WRITE_SPACING_MS). */
  env?: Record<string, string>;
  /** The script to run, relative to root: the built app (lib/server/main.js) unless told, or NAIVE_ENTRY. */
  entry?: string;
  logLevel?: string;
  /** Node options before probot's script (e.g. `--import ./bench/lib/scaled-throttle.mjs`). */
  nodeArgs?: string[];
}

/**
 * What every benchmark that runs the built app does first: a watchdog that ends the run past its
 * time limit (loops here must stop by themselves), and a clear error when lib/ was not built.
 */
export function guardBenchmark(root: string, limitMs: number, log: (message: string) => void, buildHint: string): void {
  const watchdog = setTimeout(() => {
    log(`over the ${limitMs / 60_000}-minute limit; stopping`);
    process.exit(2);
  }, limitMs);
  watchdog.unref();
  try {
    statSync(join(root, "lib", "index.js"));
  } catch {
    throw new Error(`lib/index.js is missing: ${buildHint}`);
  }
}

/** The naive baseline's process (bench/lib/naive-main.ts), compiled by buildNaiveEntry. */
export const NAIVE_ENTRY = "bench/.out/naive/bench/lib/naive-main.js";

/** Compile the naive baseline's composition (and the src/ it imports) to JavaScript, as lib/ is for the app. */
export function buildNaiveEntry(root: string): void {
  execFileSync(
    process.execPath,
    [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "bench", "tsconfig.naive.json")],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let cachedKey: string | undefined;
/** A throwaway PKCS#1 key, as GitHub issues them; the simulator does not verify the JWT. */
export function throwawayKey(): string {
  cachedKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return cachedKey;
}

const CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat counts CPU time in these ticks.

export class AppProcess {
  readonly logs: AppLogLine[] = [];
  readonly stderr: string[] = [];
  private child: ChildProcess | undefined;
  private exited = false;
  port = 0;

  constructor(private readonly options: AppProcessOptions) {}

  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error("app: not started");
    return pid;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get webhookUrl(): string {
    return `${this.baseUrl}/api/github/webhooks`;
  }

  get running(): boolean {
    return this.child !== undefined && !this.exited;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    this.port = await freePort();
    // A clean environment, as scripts/smoke.sh does: nothing from the developer's shell leaks in.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "production",
      LOG_FORMAT: "json",
      LOG_LEVEL: this.options.logLevel ?? "info",
      HOST: "127.0.0.1",
      PORT: String(this.port),
      APP_ID: String(this.options.appId),
      PRIVATE_KEY: throwawayKey(),
      WEBHOOK_SECRET: this.options.webhookSecret,
      GHE_HOST: this.options.gheHost,
      GHE_PROTOCOL: "http",
      // The per-event scenarios count each event's reads from a known start: the reconciliation a
      // process runs on start is measured on its own (bench/sweep.bench.ts, bench/durable.bench.ts).
      RECONCILE_ON_START: "false",
      ...this.options.env,
    };
    const child = spawn(process.execPath, [...(this.options.nodeArgs ?? []), this.options.entry ?? "lib/server/main.js"], {
      cwd: this.options.root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    child.on("exit", () => (this.exited = true));
    createInterface({ input: child.stdout! }).on("line", (line) => this.onLine(line));
    createInterface({ input: child.stderr! }).on("line", (line) => {
      this.stderr.push(line);
      if (this.stderr.length > 500) this.stderr.shift();
    });

    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (this.exited) throw new Error(`app exited during start-up:\n${this.tail()}`);
      try {
        const res = await fetch(`${this.baseUrl}/ping`, { signal: AbortSignal.timeout(2_000) });
        if ((await res.text()) === "PONG") return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`app did not answer /ping within ${timeoutMs} ms:\n${this.tail()}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.exited) return;
    child.kill("SIGTERM");
    const deadline = performance.now() + 5_000;
    while (!this.exited && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (!this.exited) child.kill("SIGKILL");
  }

  /** Synchronous SIGKILL, for process exit handlers. */
  killNow(): void {
    if (this.child && !this.exited) this.child.kill("SIGKILL");
  }

  private onLine(line: string): void {
    let parsed: AppLogLine;
    try {
      parsed = { ...(JSON.parse(line) as Record<string, unknown>), at: performance.now() };
    } catch {
      parsed = { at: performance.now(), msg: line };
    }
    this.logs.push(parsed);
    if (this.logs.length > 200_000) this.logs.splice(0, 50_000);
  }

  /** The last lines of output, for error messages. */
  tail(n = 30): string {
    const out = this.logs.slice(-n).map((l) => JSON.stringify(l));
    return [...out, ...this.stderr.slice(-n)].join("\n");
  }

  /** Log lines whose message is `msg`, logged after performance time `since`. */
  linesSince(since: number, msg?: string): AppLogLine[] {
    return this.logs.filter((l) => l.at >= since && (msg === undefined || l.msg === msg));
  }

  /** User + system CPU time of the process so far, in ms (/proc/<pid>/stat fields 14 and 15). */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces: split after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / CLK_TCK;
  }

  /** Peak and current resident set size in MB (/proc/<pid>/status VmHWM, VmRSS). */
  memoryMb(): { peak: number; current: number } {
    const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { peak: kb("VmHWM") / 1024, current: kb("VmRSS") / 1024 };
  }

  /** The app's Prometheus metrics, if it serves /metrics (parsed to name{labels} → value). */
  async metrics(): Promise<Map<string, number> | undefined> {
    try {
      const res = await fetch(`${this.baseUrl}/metrics`, { signal: AbortSignal.timeout(3_000) });
      if (res.status !== 200) return undefined;
      const text = await res.text();
      const values = new Map<string, number>();
      for (const line of text.split("\n")) {
        if (!line || line.startsWith("#")) continue;
        const m = /^(\S+?(?:\{[^}]*\})?)\s+(\S+)/.exec(line);
        if (m?.[1] && m[2]) values.set(m[1], Number(m[2]));
      }
      return values;
    } catch {
      return undefined;
    }
  }
}
