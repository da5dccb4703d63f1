/**
 * A stack with names: code generators refer to values by name and the tracker emits the PICK/ROLL
 * depths, so a hash function in Script reads like the algorithm instead of like depth arithmetic.
 */
import { OP } from "../bitcoin/index.js";

import type { Fragment } from "./fragment.js";
import { BitvmBuildError, analyze, constantOf, fragment, num, type Op } from "./fragment.js";

export class StackTracker {
  readonly #ops: Op[] = [];
  /** Names bottom → top; "" for values nobody may refer to. */
  readonly #stack: string[];
  readonly #alt: string[] = [];
  #anon = 0;

  /** `inputs` are the names of the items already on the stack, bottom first. */
  constructor(
    readonly name: string,
    inputs: readonly string[] = [],
  ) {
    this.#stack = [...inputs];
    const seen = new Set<string>();
    for (const n of inputs) {
      if (seen.has(n)) throw new BitvmBuildError(name, "opcode", `input name "${n}" given twice`);
      seen.add(n);
    }
  }

  get ops(): readonly Op[] {
    return this.#ops;
  }

  /** Items on the main stack. */
  get size(): number {
    return this.#stack.length;
  }

  /** Names on the main stack, bottom first. */
  get names(): readonly string[] {
    return this.#stack;
  }

  has(name: string): boolean {
    return this.#stack.lastIndexOf(name) >= 0;
  }

  /** Distance of `name` from the top (0 = top). */
  depth(name: string): number {
    const i = this.#stack.lastIndexOf(name);
    if (i < 0) throw new BitvmBuildError(this.name, "opcode", `no value named "${name}" on the stack`);
    return this.#stack.length - 1 - i;
  }

  /** A fresh name for a temporary. */
  temp(prefix = "t"): string {
    return `${prefix}~${this.#anon++}`;
  }

  /** Pushes a constant (a number, or bytes). */
  push(value: number | Uint8Array, as: string): void {
    this.#ops.push(typeof value === "number" ? num(value) : value);
    this.#stack.push(as);
  }

  /** Copies `name` to the top as `as`. */
  copy(name: string, as: string): void {
    const d = this.depth(name);
    this.#ops.push(num(d), OP.OP_PICK);
    this.#stack.push(as);
  }

  /** Moves `name` to the top (no code if it is there). */
  move(name: string): void {
    const d = this.depth(name);
    if (d === 0) return;
    this.#ops.push(num(d), OP.OP_ROLL);
    const i = this.#stack.length - 1 - d;
    this.#stack.splice(i, 1);
    this.#stack.push(name);
  }

  /** Brings `name` to the top: moved if `consume`, else copied as a temporary. Returns the top's name. */
  bring(name: string, consume: boolean): string {
    if (consume) {
      this.move(name);
      return name;
    }
    const t = this.temp();
    this.copy(name, t);
    return t;
  }

  rename(from: string, to: string): void {
    const i = this.#stack.length - 1 - this.depth(from);
    this.#stack[i] = to;
  }

  drop(name: string): void {
    const d = this.depth(name);
    if (d === 1) this.#ops.push(OP.OP_NIP);
    else {
      this.move(name);
      this.#ops.push(OP.OP_DROP);
    }
    this.#stack.splice(this.#stack.length - 1 - (d === 1 ? 1 : 0), 1);
  }

  /**
   * Appends `ops`, which consume the top `consumes` items and leave `produces` (bottom first).
   * Their stack effect is checked against that claim.
   */
  apply(ops: Op | readonly Op[], consumes: number, produces: readonly string[]): void {
    const list = typeof ops === "number" || ops instanceof Uint8Array ? [ops] : ops;
    const e = analyze(this.name, list);
    if (
      !e.dynamicReach &&
      (e.inputs > consumes || e.outputs - (consumes - e.inputs) !== produces.length || e.altDelta !== 0)
    )
      throw new BitvmBuildError(
        this.name,
        "opcode",
        `operations claimed to take ${consumes} items and leave ${produces.length}, but take ${e.inputs} and leave ${e.outputs}`,
      );
    if (consumes > this.#stack.length)
      throw new BitvmBuildError(
        this.name,
        "stack",
        `needs ${consumes} items, the stack holds ${this.#stack.length}`,
      );
    for (const op of list) this.#ops.push(op);
    this.#stack.length -= consumes;
    for (const p of produces) this.#stack.push(p);
  }

  /** Replaces the top item (an index) with entry `index` of a table pushed by `pushTable`. */
  lookup(table: string, as: string): void {
    // PICK pops the index first, so the entry sits one shallower than seen now.
    const base = this.depth(`${table}#0`) - 1;
    if (base !== 0) this.#ops.push(num(base), OP.OP_ADD);
    this.#ops.push(OP.OP_PICK);
    this.#stack[this.#stack.length - 1] = as;
  }

  /** Pushes `entries` so that entry k is reachable by `lookup(table)` at index k. */
  pushTable(table: string, entries: readonly number[]): void {
    for (let k = entries.length - 1; k >= 0; k--) this.push(entries[k]!, `${table}#${k}`);
  }

  /** Drops every entry of a table (they must be contiguous and top-most). */
  dropTable(table: string, length: number): void {
    for (let k = 0; k < length; k++) {
      if (this.depth(`${table}#${k}`) !== 0)
        throw new BitvmBuildError(this.name, "opcode", `table ${table} is not on top of the stack`);
      this.#ops.push(OP.OP_DROP);
      this.#stack.pop();
    }
  }

  toAlt(name: string): void {
    this.move(name);
    this.#ops.push(OP.OP_TOALTSTACK);
    this.#alt.push(this.#stack.pop()!);
  }

  fromAlt(): string {
    const n = this.#alt.pop();
    if (n === undefined) throw new BitvmBuildError(this.name, "stack", "the altstack is empty");
    this.#ops.push(OP.OP_FROMALTSTACK);
    this.#stack.push(n);
    return n;
  }

  /** Moves `names` to the top in this order (last = top), then builds the fragment. */
  finish(outputs?: readonly string[]): Fragment {
    if (outputs !== undefined) for (const n of outputs) this.move(n);
    if (this.#alt.length > 0)
      throw new BitvmBuildError(this.name, "stack", `${this.#alt.length} items left on the altstack`);
    return fragment(this.name, this.#ops);
  }
}

/** The constant an op pushes, re-exported for generators that fold constants. */
export { constantOf };
