/**
 * BitVM2 bridge: the committee (MuSig2), the peg-in (deposit, PegInConfirm, refund) and the
 * presigned peg-out graph (KickOff, Take1, Challenge, Assert, Take2, Disprove) of each deposit.
 */
export { BridgeError, isBridgeCode, type BridgeErrorCode } from "./errors.js";
export {
  sats,
  xOnlyKey,
  l2Address,
  txid,
  type Sats,
  type XOnlyKey,
  type L2Address,
  type Txid,
  type Blocks,
  type Outpoint,
  type Utxo,
} from "./types.js";
export {
  bridgeParams,
  validateParams,
  MAINNET_PARAMS,
  DEVNET_PARAMS,
  type BridgeParams,
  type ParamsProfile,
} from "./params.js";
export {
  Committee,
  CommitteeSigner,
  runMusig,
  aggregateNonces,
  combinePartials,
  type KeyMode,
  type PubNonce,
  type PartialSig,
  type SessionId,
  type SigningRequest,
} from "./musig.js";
export {
  NUMS_KEY,
  keyPathOutput,
  scriptOutput,
  taprootAddress,
  type AddressNetwork,
  type TapLeaf,
  type TapOutput,
} from "./taproot.js";
export {
  BridgeTx,
  buildWithFee,
  SIGHASH_DEFAULT,
  SIGHASH_SINGLE_ANYONECANPAY,
  SEQUENCE_FINAL_NO_RBF,
  type TxName,
} from "./tx.js";
export {
  buildDepositPsbt,
  buildPegInRefund,
  buildPegOutGraph,
  buildDisprove,
  verifyDepositTx,
  depositOutput,
  poolOutput,
  pegInTagScript,
  dustLimit,
  graphTx,
  spendSighash,
  PEGIN_TAG_MAGIC,
  BURN_SCRIPT,
  assertTimeoutBurn,
  type DepositInfo,
  type OperatorInfo,
  type GraphInput,
  type PegOutGraph,
  type SpendSpec,
  type WalletUtxo,
} from "./graph.js";
export {
  CommitteeMember,
  PresignatureStore,
  presignGraph,
  verifyPresignatures,
  isConfirmable,
  committeeSpends,
  graphFingerprint,
  completePegInConfirm,
  completeKickOff,
  completeTake1,
  completeAssert,
  completeTake2,
  completeAssertTimeout,
  operatorChallengeSignature,
  fundChallenge,
  signSpend,
  tweakedSecret,
  presigKey,
  GRAPH_TXS,
  type Presignatures,
  type PresignProposal,
  type NonceMessage,
  type PartialMessage,
  type PresigKey,
} from "./presign.js";
export { ClaimProgram, leafSucceeds, type AssertProgram, type ClaimField, type Disproof } from "./program.js";
export { spvProof, creditPegIn, type SpvProof } from "./credit.js";
export {
  graphInputToJson,
  graphInputFromJson,
  presignaturesToJson,
  presignaturesFromJson,
  paramsToJson,
  paramsFromJson,
  type GraphInputJson,
  type PresignaturesJson,
  type BridgeParamsJson,
} from "./codec.js";
export { FlowStore, encodeRecord, decodeRecord } from "./store.js";
export { broadcastOnce, untilDepth, txDepth, spendableCoins, spentBy, signPayment } from "./chain.js";
export {
  lvmBridge,
  decodeRevert,
  asBridgeError,
  bridgeInvariant,
  withdrawalOf,
  NOT_RELAYED_YET,
  type LvmBridge,
  type Revert,
  type Withdrawal,
} from "./contract.js";
