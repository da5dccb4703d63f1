/**
 * Runs fragments on our interpreter as tapscript, with inputs given as numbers or bytes.
 */
import { executeScript, scriptNum, type ExecResult, type Tracer } from "../bitcoin/index.js";

import { BitvmInputError, type Fragment } from "./fragment.js";

export type StackValue = number | Uint8Array;

export const encodeStackValue = (v: StackValue): Uint8Array => (typeof v === "number" ? scriptNum(v) : v);

/** Decodes a stack item as a script number (as OP_ADD would read it). */
export function stackNumber(item: Uint8Array): number {
  if (item.length === 0) return 0;
  if (item.length > 4) throw new BitvmInputError(`stack item of ${item.length} bytes is not a script number`);
  let v = 0;
  for (let i = 0; i < item.length; i++) v += item[i]! * 2 ** (8 * i);
  const top = item[item.length - 1]!;
  if (top & 0x80) return -(v - 0x80 * 2 ** (8 * (item.length - 1)));
  return v;
}

/** Executes `fragment` on `inputs` (bottom first) under tapscript rules. */
export function runFragment(
  fragment: Fragment,
  inputs: readonly StackValue[] = [],
  trace?: Tracer,
): ExecResult {
  return executeScript(fragment.bytes, {
    stack: inputs.map(encodeStackValue),
    ...(trace === undefined ? {} : { trace }),
  });
}
