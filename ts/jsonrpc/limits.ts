/** Resource limits of a JSON-RPC server, and the scan that enforces the nesting limit. */

export interface JsonRpcLimits {
  /** Largest request body in bytes (geth: 5 MiB; larger → HTTP 413). */
  readonly maxBodyBytes: number;
  /** Most requests in one batch (geth: 1,000 → "batch too large"). */
  readonly maxBatch: number;
  /** Largest response in bytes, a batch's summed (geth: 25 MB → -32003 "response too large"). */
  readonly maxResponseBytes: number;
  /** Deepest nesting of arrays and objects in a request (deeper → parse error). */
  readonly maxDepth: number;
}

/** geth's defaults; the nesting limit is serde_json's, whose parser EDR feeds requests to. */
export const GETH_LIMITS: JsonRpcLimits = {
  maxBodyBytes: 5 * 1024 * 1024,
  maxBatch: 1_000,
  maxResponseBytes: 25 * 1000 * 1000,
  maxDepth: 128,
};

/**
 * Whether `text` nests arrays/objects deeper than `max`. One pass without recursion, so a
 * request nested a million deep costs a scan, never the stack (V8's JSON.parse copes with such
 * input, but JSON.stringify and any recursive walk over it do not).
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
