/** Our interpreter's raw script execution (tapscript rules), for the DLC's leaves. */
import { executeScript as exec, scriptNum } from "../../ts/bitcoin/index.js";

export function executeScript(script: Uint8Array, opts: { stack: Uint8Array[] }) {
  return exec(script, { stack: opts.stack });
}

/** A minimally encoded script number as a bigint (round-trips through our encoder). */
export function stackNumberOrUndefined(item: Uint8Array): bigint | undefined {
  if (item.length === 0) return 0n;
  let v = 0n;
  for (let i = item.length - 1; i >= 0; i--)
    v = (v << 8n) | BigInt(item[i]! & (i === item.length - 1 ? 0x7f : 0xff));
  if (item[item.length - 1]! & 0x80) v = -v;
  const back = scriptNum(Number(v));
  return back.length === item.length && back.every((b, i) => b === item[i]) ? v : undefined;
}
