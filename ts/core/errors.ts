/**
 * The one base error of the project. Every component's error extends `LvmError`, so a caller can
 * tell ours from a library's by `instanceof`, branch on `code` (never on message text), show the
 * offending `value`, and follow `cause` down to what failed underneath (a socket, a revert, a
 * decode).
 *
 * @example
 * throw new BridgeError("INVALID_AMOUNT", "amount is below dust", { value: 12n, details: { dust: 330n } });
 */
export interface LvmErrorOptions {
  /** The input that was refused, as given (shown by `toJSON`, never parsed from the message). */
  value?: unknown;
  /** Structured context: limits, expected values, names. */
  details?: Record<string, unknown>;
  /** The error this one wraps. */
  cause?: unknown;
}

export class LvmError<Code extends string | number = string> extends Error {
  override readonly name: string = "LvmError";
  readonly value: unknown;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    /**
     * Machine-readable reason, `SCREAMING_SNAKE_CASE` and stable across releases; where a component
     * mirrors a protocol (Core's reject reasons, JSON-RPC codes) it keeps that protocol's codes.
     */
    readonly code: Code,
    /** Short, human: what was wrong and, where it helps, what was expected. */
    message: string,
    options: LvmErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.value = options.value;
    this.details = options.details ?? {};
  }

  /** A log- and JSON-friendly view (bigints and bytes as strings), with the cause chain. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    if (this.value !== undefined) out.value = printable(this.value);
    if (Object.keys(this.details).length > 0) out.details = printable(this.details);
    if (this.cause !== undefined)
      out.cause =
        this.cause instanceof LvmError
          ? this.cause.toJSON()
          : this.cause instanceof Error
            ? { name: this.cause.name, message: this.cause.message }
            : printable(this.cause);
    return out;
  }
}

/** True for any of our errors, optionally of one code. */
export function isLvmError(e: unknown, code?: string | number): e is LvmError {
  return e instanceof LvmError && (code === undefined || e.code === code);
}

function printable(v: unknown, depth = 0): unknown {
  if (depth > 4) return "…";
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
  if (Array.isArray(v)) return v.slice(0, 32).map((x) => printable(x, depth + 1));
  if (v !== null && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = printable(x, depth + 1);
    return o;
  }
  return v;
}
