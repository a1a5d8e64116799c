// A throwaway redis-server on a free loopback port, for tests of the Redis paths. When the binary
// is missing or will not start, `start` says why and the tests skip with that message.
import { freePort } from "./net.js";
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { connect } from "node:net";

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export type RedisStart = { ok: true; server: RedisServer } | { ok: false; reason: string };

/** redis-server on PATH (or REDIS_SERVER_BIN). */
function binary(): string | undefined {
  const explicit = process.env.REDIS_SERVER_BIN;
  const candidates = explicit
    ? [explicit]
    : (process.env.PATH ?? "")
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, "redis-server"));
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Resolves once the port accepts a connection and answers PING. */
async function ready(port: number, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    const pong = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.setTimeout(500);
      socket.once("connect", () => socket.write("PING\r\n"));
      socket.once("data", (data) => {
        socket.destroy();
        resolve(data.toString().startsWith("+PONG"));
      });
      socket.once("error", () => resolve(false));
      socket.once("timeout", () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (pong) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export async function startRedisServer(): Promise<RedisStart> {
  const path = binary();
  if (!path) return { ok: false, reason: "redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs it)" };
  const port = await freePort();
  const child = spawn(path, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  // A generous bound: on a busy machine redis-server may take seconds to start, and a timeout here skips the Redis tests.
  if (!(await ready(port, child, 20_000))) {
    kill();
    return { ok: false, reason: `redis-server did not start on port ${port}${stderr ? `: ${stderr.trim().slice(0, 200)}` : ""}` };
  }
  return {
    ok: true,
    server: {
      port,
      url: `redis://127.0.0.1:${port}`,
      stop: () =>
        new Promise<void>((resolve) => {
          process.removeListener("exit", kill);
          if (child.exitCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        }),
    },
  };
}
