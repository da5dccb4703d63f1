import { bytesToHex, disassemble } from "../ts/bitcoin/index.js";
import { BitvmBuildError, CatalogError, catalog, catalogEntry, runFragment } from "../ts/bitvm/index.js";

interface CompileArgs {
  fragment: string;
  script: boolean;
}

interface RunArgs {
  fragment: string;
  input: string;
  trace: boolean;
}

function listOrThrow(name: string): ReturnType<typeof catalogEntry> {
  if (name === "") {
    const lines = catalog().map((e) => `  ${e.name.padEnd(22)} ${e.description}`);
    throw new CatalogError(`--fragment is required; known fragments:\n${lines.join("\n")}`);
  }
  return catalogEntry(name);
}

/** Bad names and inputs are the user's to fix: one line on stderr, exit code 2, no stack trace. */
function userErrors<A>(task: string, action: (args: A) => Promise<void>): (args: A) => Promise<void> {
  return async (args) => {
    try {
      await action(args);
    } catch (e) {
      if (!(e instanceof CatalogError || e instanceof BitvmBuildError)) throw e;
      console.error(`${task}: ${e.message}`);
      process.exitCode = 2;
    }
  };
}

/** `npx hardhat bitvm:compile --fragment NAME [--script]`: builds it and prints its figures. */
export const compile = userErrors("bitvm:compile", async (args: CompileArgs): Promise<void> => {
  const entry = listOrThrow(args.fragment);
  const started = performance.now();
  const f = entry.build();
  const buildMs = performance.now() - started;
  console.log(JSON.stringify({ ...f.report(), build_ms: Number(buildMs.toFixed(1)) }));
  if (args.script) {
    console.log(bytesToHex(f.bytes));
    console.log(disassemble(f.bytes));
  }
});

/** `npx hardhat bitvm:run --fragment NAME [--input ARG] [--trace]`: builds, executes and reports. */
export const run = userErrors("bitvm:run", async (args: RunArgs): Promise<void> => {
  const entry = listOrThrow(args.fragment);
  const f = entry.build();
  const input = entry.input(args.input === "" ? entry.example : args.input);
  const r = runFragment(
    f,
    input,
    args.trace
      ? (step) =>
          console.log(`${String(step.pc).padStart(7)} ${step.name.padEnd(22)} depth ${step.stack.length}`)
      : undefined,
  );
  const figures = { fragment: f.name, bytes: f.size, ...r.stats };
  if (!r.ok) {
    console.log(JSON.stringify({ ok: false, error: r.error, message: r.message, pc: r.pc, ...figures }));
    process.exitCode = 1;
    return;
  }
  console.log(JSON.stringify({ ok: true, result: entry.output(r.stack), ...figures }));
});
