import { bn254 } from "@noble/curves/bn254.js";
import { expect } from "chai";

import {
  FQ,
  FROBENIUS,
  LeafProgram,
  type Fq2Value,
  type Fq6Value,
  type Fq12Value,
} from "../../ts/bitvm/bn254/index.js";

const { Fp2, Fp6, Fp12 } = bn254.fields;
type N6 = ReturnType<typeof Fp6.create>;
type N12 = ReturnType<typeof Fp12.create>;

function rng(seed: number): () => bigint {
  let s = BigInt(seed) | 1n;
  return () => {
    let v = 0n;
    for (let i = 0; i < 5; i++) {
      s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
      v = (v << 64n) | s;
    }
    return v % FQ.p;
  };
}
const next = rng(41);
const r2 = (): Fq2Value => [next(), next()];
const r6 = (): Fq6Value => [r2(), r2(), r2()];
const n2 = (a: Fq2Value) => Fp2.create({ c0: a[0], c1: a[1] });
const n6 = (a: Fq6Value): N6 => Fp6.create({ c0: n2(a[0]), c1: n2(a[1]), c2: n2(a[2]) });
const n12 = (a: Fq12Value): N12 => Fp12.create({ c0: n6(a[0]), c1: n6(a[1]) });
const back6 = (x: N6): Fq6Value => [
  [x.c0.c0, x.c0.c1],
  [x.c1.c0, x.c1.c1],
  [x.c2.c0, x.c2.c1],
];
const back12 = (x: N12): Fq12Value => [back6(x.c0), back6(x.c1)];

describe("bitvm/bn254: Fq6 and Fq12 as programs of Fq2 leaves, executed against @noble/curves", function () {
  it("the Frobenius coefficients are noble's", function () {
    const xi = Fp2.create({ c0: 9n, c1: 1n });
    const p = FQ.p;
    expect(FROBENIUS.w).to.deep.equal([Fp2.pow(xi, (p - 1n) / 6n).c0, Fp2.pow(xi, (p - 1n) / 6n).c1]);
  });

  it("Fq6 product (Karatsuba): 6 Fq2 products, every leaf within the limits", function () {
    const prog = new LeafProgram();
    const [a, b] = [r6(), r6()];
    expect(prog.fq6Mul(a, b)).to.deep.equal(back6(Fp6.mul(n6(a), n6(b))));
    expect(prog.leaves.filter((l) => l.name === "fq2_mul")).to.have.length(6);
    expect(prog.maxStack).to.be.at.most(1000);
  });

  it("Fq12 times a Miller-loop line (1 + c1·w + c3·w³): two sparse Fq6 products", function () {
    const prog = new LeafProgram();
    const f: Fq12Value = [r6(), r6()];
    const [c1, c3] = [r2(), r2()];
    const line: Fq12Value = [
      [
        [1n, 0n],
        [0n, 0n],
        [0n, 0n],
      ],
      [c1, c3, [0n, 0n]],
    ];
    expect(prog.fq12MulByLine(f, c1, c3)).to.deep.equal(back12(Fp12.mul(n12(f), n12(line))));
    expect(prog.leaves.filter((l) => l.name === "fq2_mul")).to.have.length(12);
    expect(prog.maxStack).to.be.at.most(1000);
  });

  it("Fq12 Frobenius f^p", function () {
    const prog = new LeafProgram();
    const f: Fq12Value = [r6(), r6()];
    expect(prog.fq12Frobenius(f)).to.deep.equal(back12(Fp12.frobeniusMap(n12(f), 1)));
  });

  it("Fq12 square (complex squaring): 12 Fq2 products", function () {
    const prog = new LeafProgram();
    const f: Fq12Value = [r6(), r6()];
    expect(prog.fq12Square(f)).to.deep.equal(back12(Fp12.sqr(n12(f))));
    expect(prog.leaves.filter((l) => l.name === "fq2_mul")).to.have.length(12);
  });

  (process.env.BN254_FULL ? it : it.skip)("Fq12 product (18 Fq2 products; BN254_FULL=1)", function () {
    const prog = new LeafProgram();
    const f: Fq12Value = [r6(), r6()];
    const g: Fq12Value = [r6(), r6()];
    expect(prog.fq12Mul(f, g)).to.deep.equal(back12(Fp12.mul(n12(f), n12(g))));
  });
});
