/**
 * Discreet Log Contracts for the OP-DLC bridge: Schnorr adaptor signatures, dlcspecs oracle
 * announcements and attestations for digit-decomposed numeric outcomes, the interval cover, and
 * the Taproot channel (funding, CETs, refund).
 */
export { DlcError, DLC_ERROR_CODES, type DlcErrorCode } from "./errors.js";
export {
  adaptorSign,
  adaptorVerify,
  adaptorDecrypt,
  adaptorRecover,
  challenge,
  liftX,
  Point,
  type AdaptorSignature,
} from "./adaptor.js";
export { toDigits, fromDigits, digitsFor, coverInterval, prefixMatches } from "./numeric.js";
export {
  Oracle,
  DigitPoints,
  outcomePoint,
  oracleMessage,
  verifyAnnouncement,
  verifyAttestation,
  attestationSecret,
  encodeOracleEvent,
  encodeAnnouncement,
  decodeAnnouncement,
  encodeAttestation,
  decodeAttestation,
  TLV_ANNOUNCEMENT,
  TLV_ATTESTATION,
  TLV_ORACLE_EVENT,
  TLV_DIGIT_DESCRIPTOR,
  type DigitDescriptor,
  type OracleEvent,
  type OracleAnnouncement,
  type OracleAttestation,
} from "./oracle.js";
export {
  DlcChannel,
  fundingOutput,
  multisigLeaf,
  withdrawalIntervals,
  signedRefund,
  subsets,
  type OracleFederation,
  type RefundTerms,
  type ChannelTerms,
  type PayoutInterval,
  type CetEntry,
  type ChannelSignatures,
  type Role,
  type CetStake,
  type StakeInput,
} from "./channel.js";
export { DlcTx, withFee, SEQUENCE_LOCKTIME, type DlcUtxo, type DlcTxName } from "./tx.js";
export { buildFundingTx, fundingAmount, type FundingPart, type WalletCoin } from "./funding.js";
export {
  StakedOracle,
  AMOUNT_WINTERNITZ,
  MAX_COMMITTED_AMOUNT,
  amountMessage,
  oracleWinternitzKey,
  committedAmount,
  signLeaf,
  disproveLeaf,
  stakeOutput,
  timelockOutput,
  connectorOutput,
  type StakeTerms,
} from "./stake.js";
// The oracle federation service (`./service.js`: OracleService) is imported from its own module:
// it binds the generated typechain type of DlcChannels, which exists only after `npx hardhat build`.
export { watchStake, committedAmountOf, type WatchResult } from "./watcher.js";
export { writeAtomic } from "./persist.js";
export { serveOracleRpc, type OracleRpc } from "./rpc.js";
export {
  PresignDesk,
  PresignClient,
  servePresignRpc,
  signaturesToJson,
  signaturesFromJson,
  channelFingerprint,
  dlcErrorObject,
  type ChannelSignaturesJson,
  type PresignRpc,
} from "./transport.js";
