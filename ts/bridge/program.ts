import { executeScript } from "../bitcoin/index.js";
import {
  messageToDigits,
  num,
  rawFragment,
  winternitzKeygen,
  winternitzLayout,
  winternitzPublicKey,
  winternitzSign,
  winternitzVerifyScript,
  type Op,
  type WinternitzPublicKey,
  type WinternitzSecretKey,
} from "../bitvm/index.js";
import { OP } from "../bitcoin/index.js";
import { BridgeError } from "./errors.js";

/**
 * The program the Assert output commits to. The graph asks three things of it:
 *
 * - `commitScript`: run by the Assert leaf before the operator's CHECKSIG, it verifies the
 *   operator's Winternitz commitments to the asserted values and drops them, so the values are
 *   on chain, bound to one-time keys fixed at peg-in;
 * - `disproveLeaves`: the Taproot leaves of the Assert output besides Take2; a leaf succeeds only
 *   when the values the operator signed contradict the program;
 * - `findDisproof`: given the Assert's witness, a leaf that succeeds and the witness it needs.
 *
 * `ClaimProgram` below is a real, small program (Winternitz-committed claim fields that must equal
 * values fixed at peg-in). The Groth16 verifier as chunked disprove leaves (issue 17, ts/bitvm/
 * groth16) plugs in through this same interface.
 */
export interface AssertProgram {
  readonly name: string;
  /** Elements the Assert leaf consumes above the operator's signature, bottom first. */
  readonly commitScript: Uint8Array;
  /** Largest size of each commitment element, for the presigned Assert's fee. */
  readonly commitShape: readonly number[];
  readonly disproveLeaves: readonly Uint8Array[];
  /** Disprove leaf index and its witness (bottom first), or undefined when nothing disproves. */
  findDisproof(assertCommitment: readonly Uint8Array[]): Disproof | undefined;
}

export interface Disproof {
  index: number;
  witness: Uint8Array[];
}

/** One committed claim field: its width and the value the program requires. */
export interface ClaimField {
  name: string;
  bytes: number;
  expected: Uint8Array;
}

const DIGIT_BITS = 4;

function dropAll(n: number): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i + 1 < n; i += 2) ops.push(OP.OP_2DROP);
  if (n % 2 === 1) ops.push(OP.OP_DROP);
  return ops;
}

/** Witness elements one field's Winternitz signature occupies (a chain value and a digit per digit). */
function sigElements(bytes: number): number {
  const l = winternitzLayout({ messageBytes: bytes, digitBits: DIGIT_BITS });
  return 2 * (l.messageDigits + l.checksumDigits);
}

/**
 * Winternitz-committed claim fields, each of which must equal a value fixed when the graph is
 * presigned (e.g. the amount the operator is reimbursed = the pool output, the PegInConfirm it
 * claims). Disprove leaf i checks the operator's signature of field i and succeeds iff the signed
 * value differs from `expected`: an operator that asserts anything else loses its stake.
 */
export class ClaimProgram implements AssertProgram {
  readonly name = "claim-fields";
  readonly commitScript: Uint8Array;
  readonly commitShape: readonly number[];
  readonly disproveLeaves: readonly Uint8Array[];

  constructor(
    readonly fields: readonly ClaimField[],
    readonly keys: readonly WinternitzPublicKey[],
  ) {
    if (fields.length === 0 || keys.length !== fields.length)
      throw new BridgeError("INVALID_ARGUMENT", "one Winternitz key per claim field", fields.length);
    fields.forEach((f, i) => {
      if (f.expected.length !== f.bytes || keys[i].layout.messageBytes !== f.bytes)
        throw new BridgeError("INVALID_ARGUMENT", `claim field ${f.name}: width mismatch`, f.name);
    });
    // The Assert witness holds field 0's signature deepest, the last field's on top.
    const commit: Op[] = [];
    for (let i = fields.length - 1; i >= 0; i--) {
      commit.push(...winternitzVerifyScript(keys[i]).ops, ...dropAll(keys[i].layout.messageDigits));
    }
    this.commitShape = fields.flatMap((f) =>
      Array.from({ length: sigElements(f.bytes) }, (_, j) => (j % 2 === 0 ? 20 : 1)),
    );
    this.commitScript = rawFragment("claim_commit", commit).bytes;
    this.disproveLeaves = fields.map((f, i) => {
      const digits = messageToDigits(f.expected, DIGIT_BITS);
      const ops: Op[] = [...winternitzVerifyScript(keys[i]).ops];
      // Digits on the stack, the last on top: compare each with the expected one.
      for (let d = digits.length - 1; d >= 0; d--) ops.push(num(digits[d]), OP.OP_EQUAL, OP.OP_TOALTSTACK);
      ops.push(OP.OP_FROMALTSTACK);
      for (let d = 1; d < digits.length; d++) ops.push(OP.OP_FROMALTSTACK, OP.OP_BOOLAND);
      ops.push(OP.OP_NOT); // true iff some digit differs
      return rawFragment(`disprove_${f.name}`, ops).bytes;
    });
  }

  /** The program and the operator's one-time secret keys, derived from a seed. */
  static fromSeed(
    seed: Uint8Array,
    fields: readonly ClaimField[],
  ): { program: ClaimProgram; secrets: WinternitzSecretKey[] } {
    const secrets = fields.map((f, i) =>
      winternitzKeygen(Uint8Array.from([...seed, i]), { messageBytes: f.bytes, digitBits: DIGIT_BITS }),
    );
    return { program: new ClaimProgram(fields, secrets.map(winternitzPublicKey)), secrets };
  }

  /** The operator's commitment to `values` (one per field), bottom first: the Assert witness part. */
  static commit(secrets: readonly WinternitzSecretKey[], values: readonly Uint8Array[]): Uint8Array[] {
    if (values.length !== secrets.length)
      throw new BridgeError("INVALID_ARGUMENT", "one value per claim field", values.length);
    return values.flatMap((v, i) => winternitzSign(secrets[i], v));
  }

  /** Splits the commitment per field and runs each disprove leaf on our interpreter. */
  findDisproof(assertCommitment: readonly Uint8Array[]): Disproof | undefined {
    const want = this.fields.reduce((n, f) => n + sigElements(f.bytes), 0);
    if (assertCommitment.length !== want)
      throw new BridgeError(
        "BAD_SIGNATURE",
        `Assert commitment has ${assertCommitment.length} elements, the program needs ${want}`,
        assertCommitment.length,
      );
    let at = 0;
    for (let i = 0; i < this.fields.length; i++) {
      const n = sigElements(this.fields[i].bytes);
      const witness = assertCommitment.slice(at, at + n);
      at += n;
      if (leafSucceeds(this.disproveLeaves[i], witness)) return { index: i, witness };
    }
    return undefined;
  }
}

/** Tapscript success: the leaf runs and leaves exactly one true element. */
export function leafSucceeds(leaf: Uint8Array, witness: readonly Uint8Array[]): boolean {
  const r = executeScript(leaf, { stack: [...witness] });
  return (
    r.ok &&
    r.stack.length === 1 &&
    r.stack[0].some((b, i, a) => b !== 0 && !(i === a.length - 1 && b === 0x80))
  );
}
