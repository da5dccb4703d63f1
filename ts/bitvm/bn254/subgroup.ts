/**
 * The proof's B point, checked before the Miller loop uses it: on the twist (`g2_on_twist`, with
 * x² from an `fq2_square` leaf) and in G2 (the subgroup check, a program of the G2 leaves).
 *
 * The twist is E': y² = x³ + b', b' = 3/(9 + u), of order r·(2p − r), so an on-twist point need not
 * be in G2. The subgroup check is the identity of El Housni, Guillevic and Piellard ("Co-factor
 * clearing and subgroup membership testing on pairing-friendly curves"), as gnark checks it:
 *
 *     [x₀ + 1]B + ψ([x₀]B) + ψ²([x₀]B) = ψ³([2x₀]B)
 *
 * (x₀ = 4965661367192848881, the BN parameter), which holds exactly when B is in G2. Every value
 * in it is fixed by B: each leaf checks its result (slopes from hints, with y_T ≠ 0 and x_T ≠ x_Q
 * refused), so for B off G2 the final equality fails, and a degenerate step (a point at infinity,
 * T = ±Q) leaves the prover without a witness, which rejects B too.
 */
import type { Fragment } from "../fragment.js";
import { runFragment } from "../run.js";

import { FQ } from "./field.js";
import { c0, c1, fq2, fq2EqualVerify, fq2Ops, type Fq2Value } from "./fq2.js";
import { gx, gy } from "./g1.js";
import { fq2ConjMulConstChecks, g2Ops } from "./g2.js";
import { productChecks, type Check } from "./mulcheck.js";
import { hintedFieldOp, plainFieldOp, type FieldOp } from "./ops.js";
import type { LeafFigures } from "./tower.js";

const p = FQ.p;
const mod = (v: bigint): bigint => ((v % p) + p) % p;

/** The BN parameter x₀ (6x₀ + 2 is the Miller loop's length). */
export const BN_X0 = 4965661367192848881n;

function fq2Pow(a: Fq2Value, e: bigint): Fq2Value {
  let r: Fq2Value = [1n, 0n];
  let b = a;
  for (let k = e; k > 0n; k >>= 1n) {
    if ((k & 1n) === 1n) r = fq2.mul(r, b);
    b = fq2.mul(b, b);
  }
  return r;
}

/** The twist's b' = 3/ξ, ξ = 9 + u. */
export const TWIST_B: Fq2Value = fq2.mul([3n, 0n], fq2.inv([9n, 1n]));

/** ψ³ on the twist: (x̄·ξ^((p³−1)/3), ȳ·ξ^((p³−1)/2)) (p³ is odd: the Frobenius conjugates). */
export const PSI3_GAMMA: { x: Fq2Value; y: Fq2Value } = {
  x: fq2Pow([9n, 1n], (p ** 3n - 1n) / 3n),
  y: fq2Pow([9n, 1n], (p ** 3n - 1n) / 2n),
};

/** An affine G2 point off-chain. */
export interface G2Value {
  x: Fq2Value;
  y: Fq2Value;
}

const conj = (a: Fq2Value): Fq2Value => [a[0], mod(-a[1])];

/** ψ³ off-chain. */
export function g2Psi3Value(T: G2Value): G2Value {
  return { x: fq2.mul(conj(T.x), PSI3_GAMMA.x), y: fq2.mul(conj(T.y), PSI3_GAMMA.y) };
}

/**
 * y² = x·s + b' with s = x² committed by an `fq2_square` leaf (two Fq identities):
 * c0: y0² − y1² − x0s0 + x1s1 = b'0, c1: 2y0y1 − x0s1 − x1s0 = b'1.
 */
export function g2OnTwistChecks(T: string, s: string): Check[] {
  const [x, y] = [gx(T), gy(T)];
  return [
    {
      terms: [
        { x: c0(y), y: c0(y), coef: 1 },
        { x: c1(y), y: c1(y), coef: -1 },
        { x: c0(x), y: c0(s), coef: -1 },
        { x: c1(x), y: c1(s), coef: 1 },
      ],
      r: TWIST_B[0],
      hint: `${c0(y)}#t`,
    },
    {
      terms: [
        { x: c0(y), y: c1(y), coef: 2 },
        { x: c0(x), y: c1(s), coef: -1 },
        { x: c1(x), y: c0(s), coef: -1 },
      ],
      r: TWIST_B[1],
      hint: `${c1(y)}#t`,
    },
  ];
}

const F2 = (a: string): string[] => [c0(a), c1(a)];
const get2 = (v: ReadonlyMap<string, bigint>, a: string): Fq2Value => [v.get(c0(a))!, v.get(c1(a))!];
const named = (r: string, x: Fq2Value): Map<string, bigint> =>
  new Map([
    [c0(r), x[0]],
    [c1(r), x[1]],
  ]);

/** The subgroup check's own leaves: the on-twist check, ψ³ and the final point equality. */
export function g2SubgroupOps(): FieldOp[] {
  const T = [...F2(gx("T")), ...F2(gy("T"))];
  const twist = g2OnTwistChecks("T", "s");
  const psi3 = (coord: "x" | "y"): FieldOp => {
    const name = `g2_psi3_${coord}`;
    const checks = fq2ConjMulConstChecks(name, "a", PSI3_GAMMA[coord], "r");
    return hintedFieldOp(FQ, {
      name,
      description: `the ${coord} coordinate of ψ³(T): conj(${coord}_T)·ξ^((p³−1)/${coord === "x" ? 3 : 2}), hinted`,
      operands: F2("a"),
      results: F2("r"),
      checks,
      compute: (v) => named("r", fq2.mul(conj(get2(v, "a")), PSI3_GAMMA[coord])),
      gen: (t) =>
        productChecks(t, FQ, checks, {
          consume: new Set(F2("a")),
          trusted: new Set([...F2("a"), ...F2("r")]),
        }),
    });
  };
  return [
    hintedFieldOp(FQ, {
      name: "g2_on_twist",
      description:
        "fail unless y² = x³ + b' (b' = 3/(9+u)) for T, with s = x_T² as committed by an fq2_square leaf",
      operands: [...T, ...F2("s")],
      results: [],
      checks: twist,
      compute: () => new Map(),
      gen: (t) =>
        productChecks(t, FQ, twist, {
          consume: new Set([...T, ...F2("s")]),
          trusted: new Set([...T, ...F2("s")]),
        }),
    }),
    psi3("x"),
    psi3("y"),
    plainFieldOp(
      FQ,
      "g2_equalverify",
      "fail unless the G2 points P and Q are equal (both coordinates, canonical)",
      [...F2(gx("P")), ...F2(gy("P")), ...F2(gx("Q")), ...F2(gy("Q"))],
      0,
      (t) => {
        fq2EqualVerify(t, gx("P"), gx("Q"));
        fq2EqualVerify(t, gy("P"), gy("Q"));
      },
      () => [],
    ),
  ];
}

/** Which leaves a `G2Program` executes; the others are computed off-chain by their witness builder. */
export type LeafFilter = (index: number, name: string) => boolean;

/**
 * Runs G2 leaves in sequence (each leaf's results feed the next, as the chunker commits them),
 * caching their fragments and recording every executed leaf's figures. `execute` picks the leaves
 * to run on the interpreter (default: all); a skipped leaf's results come from its witness builder,
 * which throws where no witness exists (a degenerate step), exactly where its leaf would fail.
 */
export class G2Program {
  readonly leaves: (LeafFigures & { executed: boolean })[] = [];
  readonly #ops = new Map<string, { op: FieldOp; frag?: Fragment }>();
  readonly #execute: LeafFilter;

  constructor(execute: LeafFilter = () => true) {
    this.#execute = execute;
    for (const op of [...fq2Ops(), ...g2Ops(), ...g2SubgroupOps()]) this.#ops.set(op.name, { op });
  }

  /** The fragment of leaf `name` (built once). */
  fragment(name: string): Fragment {
    const e = this.#ops.get(name);
    if (e === undefined) throw new RangeError(`no leaf named ${name}`);
    e.frag ??= e.op.build();
    return e.frag;
  }

  /** Runs leaf `name` on Fq2 operands; returns its results as Fq2 pairs; throws if it fails. */
  call(name: string, ...args: Fq2Value[]): Fq2Value[] {
    const { op } = this.#ops.get(name) ?? { op: undefined };
    if (op === undefined) throw new RangeError(`no leaf named ${name}`);
    const frag = this.fragment(name);
    const index = this.leaves.length;
    const flat = args.flat();
    let out: bigint[];
    if (this.#execute(index, name)) {
      const r = runFragment(frag, op.witness(flat));
      if (!r.ok) throw new RangeError(`leaf ${index} (${name}) failed: ${r.message}`);
      this.leaves.push({
        name,
        bytes: frag.size,
        opcodes: r.stats.opcodes,
        maxStack: r.stats.maxStackDepth,
        executed: true,
      });
      out = op.read(r.stack);
    } else {
      op.witness(flat); // throws where no witness exists
      this.leaves.push({ name, bytes: frag.size, opcodes: 0, maxStack: 0, executed: false });
      out = op.model(flat);
    }
    const pairs: Fq2Value[] = [];
    for (let i = 0; i < out.length; i += 2) pairs.push([out[i]!, out[i + 1]!]);
    return pairs;
  }

  get bytes(): number {
    return this.leaves.reduce((n, l) => n + l.bytes, 0);
  }

  /** Peak stack (main + alt) over the executed leaves. */
  get maxStack(): number {
    return Math.max(0, ...this.leaves.map((l) => l.maxStack));
  }

  get largestLeaf(): LeafFigures {
    return this.leaves.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  }

  #one(name: string, ...args: Fq2Value[]): Fq2Value {
    return this.call(name, ...args)[0]!;
  }

  /** B on the twist: s = x² (`fq2_square`), then `g2_on_twist`. */
  onTwist(B: G2Value): void {
    const s = this.#one("fq2_square", B.x);
    this.call("g2_on_twist", B.x, B.y, s);
  }

  /** 2T: tangent slope, x, y (3 leaves). */
  double(T: G2Value): G2Value {
    const l = this.#one("g2_tangent", T.x, T.y);
    const x = this.#one("g2_point_x", T.x, T.x, l);
    return { x, y: this.#one("g2_point_y", T.x, T.y, l, x) };
  }

  /** T + Q (x_T ≠ x_Q): chord slope, x, y (3 leaves). */
  add(T: G2Value, Q: G2Value): G2Value {
    const l = this.#one("g2_chord", T.x, T.y, Q.x, Q.y);
    const x = this.#one("g2_point_x", T.x, Q.x, l);
    return { x, y: this.#one("g2_point_y", T.x, T.y, l, x) };
  }

  /** [k]B by left-to-right double-and-add (k ≥ 1). */
  mul(B: G2Value, k: bigint): G2Value {
    if (k < 1n) throw new RangeError("G2Program.mul: k must be at least 1");
    let T = B;
    for (let i = k.toString(2).length - 2; i >= 0; i--) {
      T = this.double(T);
      if (((k >> BigInt(i)) & 1n) === 1n) T = this.add(T, B);
    }
    return T;
  }

  psi(T: G2Value): G2Value {
    return { x: this.#one("g2_psi_x", T.x), y: this.#one("g2_psi_y", T.y) };
  }

  /** ψ²(T) = (x·ω, −y). */
  psi2(T: G2Value): G2Value {
    return { x: this.#one("g2_psi2_x", T.x), y: this.#one("fq2_neg", T.y) };
  }

  psi3(T: G2Value): G2Value {
    return { x: this.#one("g2_psi3_x", T.x), y: this.#one("g2_psi3_y", T.y) };
  }

  /**
   * The subgroup check of B (on the twist first): [x₀+1]B + ψ([x₀]B) + ψ²([x₀]B) = ψ³([2x₀]B),
   * the last leaf an equality of both coordinates. Throws at the first failing leaf.
   */
  subgroupCheck(B: G2Value): void {
    this.onTwist(B);
    const xB = this.mul(B, BN_X0);
    const rhs = this.psi3(this.double(xB));
    const lhs = this.add(this.add(this.add(xB, B), this.psi(xB)), this.psi2(xB));
    this.call("g2_equalverify", lhs.x, lhs.y, rhs.x, rhs.y);
  }
}
