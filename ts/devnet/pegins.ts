/**
 * The devnet's record of peg-ins and what the operator did with each: the deposit's graph input
 * and the committee's presignatures (what an operator needs to claim against the deposit), plus
 * the peg-out paired with it. One JSON file per peg-in under `<root>/bridge/pegins/`, replaced
 * whole by write-and-rename, so a crash never leaves half a record.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

import { bytesToHex, hexToBytes } from "../bitcoin/index.js";
import {
  Committee,
  bridgeParams,
  buildPegOutGraph,
  l2Address,
  sats,
  txid,
  xOnlyKey,
  type GraphInput,
  type PegOutGraph,
  type PresigKey,
  type Presignatures,
  type Txid,
} from "../bridge/index.js";

/** Where a peg-in is in its life: credited on the L2, then paired with a peg-out and claimed. */
export type PegInState = "credited" | "paid" | "reimbursed";

export interface PegInRecord {
  readonly pegInConfirmTxid: Txid;
  readonly creditedSats: bigint;
  readonly input: GraphInput;
  readonly presigned: Presignatures;
  state: PegInState;
  /** The withdrawal this peg-in reimburses, once paired. */
  withdrawalId?: bigint;
  payoutTxid?: Txid;
}

interface Json {
  pegInConfirmTxid: string;
  creditedSats: string;
  committee: string[];
  deposit: { depositor: string; recipient: string; amount: string };
  depositOutpoint: { txid: string; vout: number };
  operator: {
    key: string;
    funding: { txid: string; vout: number; amount: string; script: string };
    payoutScript: string;
  };
  presigned: { depositTxid: string; depositVout: number; sigs: [string, string][] };
  state: PegInState;
  withdrawalId?: string;
  payoutTxid?: string;
}

const hex = (b: Uint8Array): string => bytesToHex(b);

/** A graph input as JSON (keys and scripts hex, amounts decimal strings); devnet params assumed. */
export type GraphInputJson = Pick<Json, "committee" | "deposit" | "depositOutpoint" | "operator">;
export type PresignaturesJson = Json["presigned"];

export function graphInputToJson(i: GraphInput): GraphInputJson {
  return {
    committee: i.committee.publicKeys.map(hex),
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
    params: bridgeParams("devnet"),
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

function toJson(r: PegInRecord): Json {
  return {
    pegInConfirmTxid: r.pegInConfirmTxid,
    creditedSats: r.creditedSats.toString(),
    ...graphInputToJson(r.input),
    presigned: presignaturesToJson(r.presigned),
    state: r.state,
    ...(r.withdrawalId === undefined ? {} : { withdrawalId: r.withdrawalId.toString() }),
    ...(r.payoutTxid === undefined ? {} : { payoutTxid: r.payoutTxid }),
  };
}

function fromJson(j: Json): PegInRecord {
  return {
    pegInConfirmTxid: txid(j.pegInConfirmTxid),
    creditedSats: BigInt(j.creditedSats),
    input: graphInputFromJson(j),
    presigned: presignaturesFromJson(j.presigned),
    state: j.state,
    ...(j.withdrawalId === undefined ? {} : { withdrawalId: BigInt(j.withdrawalId) }),
    ...(j.payoutTxid === undefined ? {} : { payoutTxid: txid(j.payoutTxid) }),
  };
}

export class PegInStore {
  readonly dir: string;

  constructor(root: string) {
    this.dir = path.join(root, "bridge", "pegins");
    mkdirSync(this.dir, { recursive: true });
  }

  put(record: PegInRecord): void {
    const file = path.join(this.dir, `${record.pegInConfirmTxid}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(toJson(record), null, 2));
    renameSync(`${file}.tmp`, file);
  }

  get(id: Txid): PegInRecord | undefined {
    const file = path.join(this.dir, `${id}.json`);
    return existsSync(file) ? fromJson(JSON.parse(readFileSync(file, "utf8")) as Json) : undefined;
  }

  all(): PegInRecord[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => fromJson(JSON.parse(readFileSync(path.join(this.dir, f), "utf8")) as Json));
  }
}

/** The graph a record's input builds (deterministic: the same transactions every time). */
export const graphOf = (r: PegInRecord): PegOutGraph => buildPegOutGraph(r.input);
