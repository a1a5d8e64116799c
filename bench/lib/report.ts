// Statistics, the machine's description, Markdown tables, and the BENCHMARKS.md section between markers.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** The q-quantile (0..1) of a list, by nearest rank; NaN for an empty list. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

export function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export function machine(): { nproc: number; model: string; node: string; platform: string } {
  let model = "unknown CPU";
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? model;
  } catch {
    // not Linux
  }
  return { nproc: availableParallelism(), model, node: process.version, platform: `${process.platform}/${process.arch}` };
}

/** A Markdown table; numbers are right-aligned. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const right = header.map(
    (_, i) =>
      rows.length > 0 && rows.every((r) => typeof r[i] === "number" || /^[\d.,≥≤<>~×%+-]+( ?[a-zA-Z×%]+)?$/.test(String(r[i] ?? ""))),
  );
  const line = (cells: Array<string | number>) => `| ${cells.map(String).join(" | ")} |`;
  return [line(header), line(right.map((r) => (r ? "---:" : "---"))), ...rows.map(line)].join("\n");
}

export function fmt(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return "n/a";
  return n.toFixed(digits);
}

/**
 * Replace the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in a file, keeping the rest
 * intact; the markers are appended at the end of the file when missing.
 */
export function writeSection(file: string, name: string, content: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const block = `${start}\n${content.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  const next =
    from >= 0 && to >= 0 ? text.slice(0, from) + block + text.slice(to + end.length) : `${text.replace(/\s*$/, "")}\n\n${block}\n`;
  writeFileSync(file, next);
}
