import { poseidon2 } from "poseidon-lite";

import { ZkError } from "./errors.js";

/** An element of the BN254 scalar field (the circuits' native value). */
export type Field = bigint & { readonly __field: unique symbol };

/** BN254 scalar field modulus. */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

export function toField(v: bigint | number | string): Field {
  let x: bigint;
  try {
    x = BigInt(v);
  } catch (e) {
    throw new ZkError("INPUT_INVALID", String(v), "not an integer", e);
  }
  if (x < 0n || x >= FIELD_MODULUS)
    throw new ZkError("INPUT_INVALID", String(v), "outside the BN254 scalar field");
  return x as Field;
}

/** Poseidon(left, right): the node hash of every tree in the circuits (circomlib Poseidon(2)). */
export function hash2(left: Field, right: Field): Field {
  return poseidon2([left, right]) as Field;
}

export interface MerklePath {
  readonly leaf: Field;
  readonly index: number;
  /** Sibling at each level, leaf level first. */
  readonly pathElements: Field[];
  /** 1 where the running node is the right child. */
  readonly pathIndices: (0 | 1)[];
  readonly root: Field;
}

/**
 * Append-only sparse Poseidon Merkle tree, the model of the circuits' trees: empty leaves are 0,
 * an empty subtree of height h hashes to zeros[h]. Only filled nodes are stored.
 */
export class PoseidonMerkleTree {
  readonly zeros: Field[];
  private readonly levels: Map<number, Field>[];
  private count = 0;

  constructor(readonly depth: number) {
    if (!Number.isInteger(depth) || depth < 1 || depth > 32) {
      throw new ZkError("INPUT_INVALID", String(depth), "tree depth must be an integer in 1..32");
    }
    this.zeros = [0n as Field];
    for (let h = 1; h <= depth; h++) this.zeros.push(hash2(this.zeros[h - 1], this.zeros[h - 1]));
    this.levels = Array.from({ length: depth + 1 }, () => new Map<number, Field>());
  }

  get size(): number {
    return this.count;
  }

  get root(): Field {
    return this.node(this.depth, 0);
  }

  private node(level: number, index: number): Field {
    return this.levels[level].get(index) ?? this.zeros[level];
  }

  /** Appends a leaf at the next free index and returns that index. */
  append(leaf: Field): number {
    if (this.count >= 2 ** this.depth) throw new ZkError("INPUT_INVALID", String(this.count), "tree is full");
    const index = this.count++;
    this.levels[0].set(index, leaf);
    let i = index;
    for (let h = 0; h < this.depth; h++) {
      const parent = i >> 1;
      this.levels[h + 1].set(parent, hash2(this.node(h, parent * 2), this.node(h, parent * 2 + 1)));
      i = parent;
    }
    return index;
  }

  /** Authentication path of the leaf at `index` (an unfilled index proves the empty leaf 0). */
  path(index: number): MerklePath {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** this.depth) {
      throw new ZkError("INPUT_INVALID", String(index), `leaf index outside 0..2^${this.depth}-1`);
    }
    const pathElements: Field[] = [];
    const pathIndices: (0 | 1)[] = [];
    let i = index;
    for (let h = 0; h < this.depth; h++) {
      pathElements.push(this.node(h, i ^ 1));
      pathIndices.push((i & 1) as 0 | 1);
      i >>= 1;
    }
    return { leaf: this.node(0, index), index, pathElements, pathIndices, root: this.root };
  }
}

/** Recomputes a root from a leaf and its path, as the circuit does. */
export function rootFromPath(
  leaf: Field,
  pathElements: readonly Field[],
  pathIndices: readonly (0 | 1)[],
): Field {
  let node = leaf;
  pathElements.forEach((sib, h) => {
    node = pathIndices[h] === 1 ? hash2(sib, node) : hash2(node, sib);
  });
  return node;
}

/** Witness input of circuits/merkle_inclusion.circom for a path. */
export function merkleInclusionInput(p: MerklePath): Record<string, unknown> {
  return { root: p.root, leaf: p.leaf, pathElements: p.pathElements, pathIndices: p.pathIndices };
}
