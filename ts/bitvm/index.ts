/**
 * BitVM script toolkit: fragments with stack tracking and peephole optimisation, u32 arithmetic on
 * 4-bit limbs, SHA-256 and BLAKE3 compression in Script, and Winternitz one-time signatures.
 */
export {
  BitvmBuildError,
  BitvmInputError,
  Fragment,
  analyze,
  fragment,
  rawFragment,
  num,
  peephole,
  type Op,
  type Part,
  type StackEffect,
  type FragmentReport,
  type BuildLimit,
} from "./fragment.js";
export { StackTracker } from "./tracker.js";
export * from "./u32.js";
export * from "./winternitz.js";
export { runFragment, stackNumber, encodeStackValue, type StackValue } from "./run.js";
export {
  blake3Compress,
  blake3Hash64,
  blake3Hash64Input,
  blake3Hash64Digest,
  BLAKE3_IV,
  type Blake3CompressOptions,
} from "./blake3.js";
export {
  sha256Compress,
  sha256Hash64,
  sha256Hash64Input,
  sha256Hash64Digest,
  SHA256_IV,
  SHA256_K,
} from "./sha256.js";
export { catalog, catalogEntry, CatalogError, type CatalogEntry } from "./catalog.js";
/** BN254 field and extension-field arithmetic (Fq, Fr, Fq2) with hinted products. */
export * as bn254 from "./bn254/index.js";
/** The Groth16 verifier as a BitVM2 program: commitments, chunker, assertion, Disprove leaves. */
export * as groth16 from "./groth16/index.js";
