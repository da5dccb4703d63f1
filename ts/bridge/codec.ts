/**
 * The wire and storage form of a graph's input and of the committee's presignatures: keys and
 * scripts hex, amounts decimal strings. `*FromJson` re-checks every field (keys, txids, amounts,
 * timelocks), so a record read from disk or the network is as valid as one built in memory.
 */
import { bytesToHex, hexToBytes } from "../bitcoin/index.js";
import { Committee } from "./musig.js";
import { bridgeParams, DEVNET_PARAMS, validateParams, type BridgeParams } from "./params.js";
import type { GraphInput } from "./graph.js";
import type { PresigKey, Presignatures } from "./presign.js";
import { l2Address, sats, txid, xOnlyKey, type Blocks, type Sats } from "./types.js";

const hex = (b: Uint8Array): string => bytesToHex(b);

export interface BridgeParamsJson {
  refundTimelock: number;
  challengeTimelock: number;
  disproveTimelock: number;
  /** Absent in records written before AssertTimeout existed: the devnet profile's value. */
  assertTimelock?: number;
  pegInConfirmations: number;
  feeRate: string;
  connectorAmount: string;
  operatorStake: string;
  challengeFee: string;
}

export interface GraphInputJson {
  committee: string[];
  /** Absent in records written before params were stored: the devnet profile. */
  params?: BridgeParamsJson;
  deposit: { depositor: string; recipient: string; amount: string };
  depositOutpoint: { txid: string; vout: number };
  operator: {
    key: string;
    funding: { txid: string; vout: number; amount: string; script: string };
    payoutScript: string;
  };
}

export interface PresignaturesJson {
  depositTxid: string;
  depositVout: number;
  sigs: [string, string][];
}

export function paramsToJson(p: BridgeParams): BridgeParamsJson {
  return {
    refundTimelock: p.refundTimelock,
    challengeTimelock: p.challengeTimelock,
    disproveTimelock: p.disproveTimelock,
    assertTimelock: p.assertTimelock,
    pegInConfirmations: p.pegInConfirmations,
    feeRate: p.feeRate.toString(),
    connectorAmount: p.connectorAmount.toString(),
    operatorStake: p.operatorStake.toString(),
    challengeFee: p.challengeFee.toString(),
  };
}

export function paramsFromJson(j: BridgeParamsJson): BridgeParams {
  const p: BridgeParams = {
    refundTimelock: j.refundTimelock as Blocks,
    challengeTimelock: j.challengeTimelock as Blocks,
    disproveTimelock: j.disproveTimelock as Blocks,
    assertTimelock: (j.assertTimelock ?? DEVNET_PARAMS.assertTimelock) as Blocks,
    pegInConfirmations: j.pegInConfirmations,
    feeRate: BigInt(j.feeRate),
    connectorAmount: sats(BigInt(j.connectorAmount)) as Sats,
    operatorStake: sats(BigInt(j.operatorStake)),
    challengeFee: sats(BigInt(j.challengeFee)),
  };
  validateParams(p);
  return p;
}

export function graphInputToJson(i: GraphInput): GraphInputJson {
  return {
    committee: i.committee.publicKeys.map(hex),
    params: paramsToJson(i.params),
    deposit: {
      depositor: hex(i.deposit.depositor),
      recipient: hex(i.deposit.recipient),
      amount: i.deposit.amount.toString(),
    },
    depositOutpoint: { txid: i.depositOutpoint.txid, vout: i.depositOutpoint.vout },
    operator: {
      key: hex(i.operator.key),
      funding: {
        txid: i.operator.funding.txid,
        vout: i.operator.funding.vout,
        amount: i.operator.funding.amount.toString(),
        script: hex(i.operator.funding.script),
      },
      payoutScript: hex(i.operator.payoutScript),
    },
  };
}

export function graphInputFromJson(j: GraphInputJson): GraphInput {
  return {
    committee: new Committee(j.committee.map(hexToBytes)),
    params: j.params === undefined ? bridgeParams("devnet") : paramsFromJson(j.params),
    deposit: {
      depositor: xOnlyKey(hexToBytes(j.deposit.depositor)),
      recipient: l2Address(hexToBytes(j.deposit.recipient)),
      amount: sats(BigInt(j.deposit.amount)),
    },
    depositOutpoint: { txid: txid(j.depositOutpoint.txid), vout: j.depositOutpoint.vout },
    operator: {
      key: xOnlyKey(hexToBytes(j.operator.key)),
      funding: {
        txid: txid(j.operator.funding.txid),
        vout: j.operator.funding.vout,
        amount: sats(BigInt(j.operator.funding.amount)),
        script: hexToBytes(j.operator.funding.script),
      },
      payoutScript: hexToBytes(j.operator.payoutScript),
    },
  };
}

export function presignaturesToJson(p: Presignatures): PresignaturesJson {
  return {
    depositTxid: p.depositTxid,
    depositVout: p.depositVout,
    sigs: [...p.sigs].map(([k, v]) => [k, hex(v)]),
  };
}

export function presignaturesFromJson(j: PresignaturesJson): Presignatures {
  return {
    depositTxid: txid(j.depositTxid),
    depositVout: j.depositVout,
    sigs: new Map(j.sigs.map(([k, v]) => [k as PresigKey, hexToBytes(v)])),
  };
}
