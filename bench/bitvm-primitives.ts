/**
 * `npm run bench -- bitvm-primitives`: size, peak stack and build/run time of the BitVM Script
 * primitives, each executed on our interpreter with its example input, and the Winternitz rows
 * side by side with BitVM's published sizes (../shared/notes/anchors.md).
 */
import { catalog, runFragment } from "../ts/bitvm/index.js";

/** BitVM's Winternitz verify scripts with 4-bit digits (BitVM PRs #121, #127). */
const ANCHORS: Record<string, number> = { winternitz_verify_20: 4178, winternitz_verify_32: 6458 };

const ROWS = [
  "u32_add",
  "u32_xor",
  "u32_rotr7",
  "sha256_64",
  "blake3_64",
  "winternitz_verify_4",
  "winternitz_verify_20",
  "winternitz_verify_32",
];

export default async function bench(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const known = new Map(catalog().map((e) => [e.name, e]));
  for (const row of ROWS) {
    const entry = known.get(row);
    if (entry === undefined) {
      out[`${row}_missing`] = true;
      continue;
    }
    const t0 = performance.now();
    const f = entry.build();
    const buildMs = performance.now() - t0;
    const input = entry.input(entry.example);
    const t1 = performance.now();
    const r = runFragment(f, input);
    const runMs = performance.now() - t1;
    if (!r.ok) throw new Error(`${row} failed on its example input: ${r.message}`);
    out[`${row}_bytes`] = f.size;
    out[`${row}_max_stack_items`] = r.stats.maxStackDepth;
    out[`${row}_opcodes_executed`] = r.stats.opcodes;
    out[`${row}_build_ms`] = Number(buildMs.toFixed(1));
    out[`${row}_run_ms`] = Number(runMs.toFixed(1));
    const anchor = ANCHORS[row];
    if (anchor !== undefined) {
      out[`${row}_bitvm_bytes`] = anchor;
      out[`${row}_vs_bitvm_pct`] = Number(((100 * f.size) / anchor).toFixed(1));
    }
  }
  return out;
}
