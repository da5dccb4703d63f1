/** Merkle trees over txids (internal byte order), with Core's odd-duplication rule. */
import { concatBytes, equalBytes } from "./bytes.js";
import { BitcoinArgumentError } from "./errors.js";
import { sha256d } from "./hash.js";

/**
 * Root and CVE-2012-2459 mutation flag: a level with two equal adjacent hashes means a
 * different transaction list has the same root, so blocks with it are rejected.
 */
export function merkleRootMutated(hashes: readonly Uint8Array[]): { root: Uint8Array; mutated: boolean } {
  if (hashes.length === 0) return { root: new Uint8Array(32), mutated: false };
  let level = hashes.slice();
  let mutated = false;
  while (level.length > 1) {
    for (let i = 0; i + 1 < level.length; i += 2) if (equalBytes(level[i]!, level[i + 1]!)) mutated = true;
    if (level.length % 2 === 1) level.push(level[level.length - 1]!);
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(sha256d(concatBytes(level[i]!, level[i + 1]!)));
    level = next;
  }
  return { root: level[0]!, mutated };
}

export function merkleRoot(hashes: readonly Uint8Array[]): Uint8Array {
  return merkleRootMutated(hashes).root;
}

/** Sibling hashes from leaf `index` up to the root. */
export function merkleBranch(hashes: readonly Uint8Array[], index: number): Uint8Array[] {
  if (index < 0 || index >= hashes.length)
    throw new BitcoinArgumentError(`merkleBranch: index ${index} outside ${hashes.length} leaves`, index);
  const branch: Uint8Array[] = [];
  let level = hashes.slice();
  let i = index;
  while (level.length > 1) {
    if (level.length % 2 === 1) level.push(level[level.length - 1]!);
    branch.push(level[i ^ 1]!);
    const next: Uint8Array[] = [];
    for (let k = 0; k < level.length; k += 2) next.push(sha256d(concatBytes(level[k]!, level[k + 1]!)));
    level = next;
    i >>= 1;
  }
  return branch;
}

/** The root a leaf and its branch imply. */
export function rootFromBranch(leaf: Uint8Array, branch: readonly Uint8Array[], index: number): Uint8Array {
  let h = leaf;
  let i = index;
  for (const sibling of branch) {
    h = i & 1 ? sha256d(concatBytes(sibling, h)) : sha256d(concatBytes(h, sibling));
    i >>= 1;
  }
  return h;
}
