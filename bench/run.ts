/**
 * Benchmark runner: `npm run bench -- <name> [args…]` loads `bench/<name>.ts`, runs its default
 * export and prints one JSON object as the last line, with the machine's facts added.
 */
import { existsSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** What a benchmark module exports: figures keyed by name, each with its unit in the key or value. */
export type BenchFigures = Record<string, unknown>;
export type BenchMain = (args: string[]) => Promise<BenchFigures>;

const benchDir = path.dirname(fileURLToPath(import.meta.url));

function available(): string[] {
  return readdirSync(benchDir)
    .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
    .map((f) => f.slice(0, -3));
}

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  if (name === undefined || name === "--help") {
    console.error(`usage: npm run bench -- <name>\navailable: ${available().join(", ")}`);
    process.exitCode = name === undefined ? 2 : 0;
    return;
  }
  const file = path.join(benchDir, `${name}.ts`);
  if (!existsSync(file)) {
    console.error(`bench: no benchmark named "${name}" (available: ${available().join(", ")})`);
    process.exitCode = 2;
    return;
  }
  const mod = (await import(pathToFileURL(file).href)) as { default: BenchMain };
  const started = Date.now();
  let figures: BenchFigures;
  try {
    figures = await mod.default(rest);
  } catch (e) {
    // Bad arguments and failed runs: the reason, not a stack trace (DEBUG=1 shows it).
    console.error(process.env.DEBUG ? e : `bench ${name}: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
    return;
  }
  const line = {
    bench: name,
    ...figures,
    wall_s: (Date.now() - started) / 1000,
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? "unknown",
    node: process.version,
  };
  console.log(JSON.stringify(line));
}

await main();
