/**
 * Bitcoin consensus core: wire formats, hashes, signature hashes and the Script interpreter.
 * Everything Bitcoin in the project (node, relayer, bridge, BitVM tools) builds on this surface.
 */
export * from "./types.js";
export { BitcoinDecodeError, BitcoinArgumentError, type DecodeErrorCode } from "./errors.js";
export {
  ByteReader,
  ByteWriter,
  hexToBytes,
  bytesToHex,
  reverseHex,
  concatBytes,
  equalBytes,
  MAX_SIZE,
} from "./bytes.js";
export { sha256, sha256d, sha1, ripemd160, hash160, taggedHash } from "./hash.js";
export { Transaction, type TransactionFields } from "./tx.js";
export {
  BlockHeader,
  Block,
  bitsToTarget,
  targetToBits,
  decodeCompact,
  checkProofOfWork,
  type BlockHeaderFields,
} from "./block.js";
export { merkleRoot, merkleRootMutated, merkleBranch, rootFromBranch } from "./merkle.js";
export {
  sighashLegacy,
  sighashWitnessV0,
  sighashTaproot,
  PrecomputedTxData,
  SighashError,
  SIGHASH_DEFAULT,
  SIGHASH_ALL,
  SIGHASH_NONE,
  SIGHASH_SINGLE,
  SIGHASH_ANYONECANPAY,
  type TaprootSighashExt,
} from "./sighash.js";
export { checkTransaction, MAX_MONEY, type TxCheckError } from "./check.js";
export * from "./script/index.js";
