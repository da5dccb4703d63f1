export { OP, opcodeName, isOpSuccess, type OpName } from "./opcodes.js";
export { scriptNum, castToBool, ScriptNumError } from "./num.js";
export {
  FLAGS,
  ALL_FLAGS,
  MANDATORY_FLAGS,
  STANDARD_FLAGS,
  parseFlags,
  formatFlags,
  ScriptFlagsError,
  type ScriptFlags,
  type FlagName,
} from "./flags.js";
export { SCRIPT_ERRORS, scriptErrorMessage, type ScriptErrorCode } from "./errors.js";
export {
  readOp,
  opEnd,
  iterOps,
  pushData,
  isMinimalPush,
  isPushOnly,
  isP2SH,
  witnessProgram,
  findAndDelete,
  removeCodeSeparators,
  disassemble,
  ScriptParseError,
  type ScriptOp,
} from "./script.js";
export {
  NO_SIGNATURES,
  TransactionChecker,
  verifyEcdsa,
  verifySchnorr,
  nativeSecp256k1,
  nobleSecp256k1,
  secp256k1Backend,
  setSecp256k1Backend,
  type Secp256k1Backend,
  isValidSignatureEncoding,
  type SignatureChecker,
  type SigVersion,
  type ExecData,
} from "./checker.js";
export {
  MAX_SCRIPT_ELEMENT_SIZE,
  MAX_STACK_SIZE,
  MAX_SCRIPT_SIZE,
  MAX_OPS_PER_SCRIPT,
  type ExecStats,
  type TraceStep,
  type Tracer,
} from "./interpreter.js";
export {
  executeScript,
  verifyScript,
  verifyInput,
  tapleafHash,
  tapBranchHash,
  tweakXOnly,
  verifyTaprootCommitment,
  TAPROOT_LEAF_TAPSCRIPT,
  ANNEX_TAG,
  type ExecuteOptions,
  type ExecResult,
  type VerifyResult,
} from "./verify.js";
