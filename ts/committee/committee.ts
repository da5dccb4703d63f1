/**
 * The committee as a service: it presigns a deposit's peg-out graph when the depositor asks,
 * after every member has rebuilt the graph and checked the deposit (`presignGraph`), and it
 * records each presigned graph in its own database *before* answering — the presignatures are
 * what the operator claims with, so they must outlive the depositor's process. A graph naming
 * another committee is refused. Transport-free: the devnet puts it behind JSON-RPC.
 */
import path from "node:path";

import {
  BridgeError,
  FlowStore,
  buildPegOutGraph,
  graphInputFromJson,
  graphInputToJson,
  presignGraph,
  presignaturesToJson,
  type Committee,
  type CommitteeMember,
  type GraphInput,
  type GraphInputJson,
  type Presignatures,
  type PresignaturesJson,
  type Txid,
} from "../bridge/index.js";
import { bytesToHex } from "../bitcoin/index.js";

/** A presigned graph as the committee keeps it (and hands to operators). */
export interface GraphRecord {
  readonly depositTxid: Txid;
  readonly pegInConfirmTxid: Txid;
  /** What PegInConfirm locks in the pool: what the L2 credits, and what Take1 pays out. */
  readonly poolSats: bigint;
  readonly input: GraphInputJson;
  readonly presigned: PresignaturesJson;
  readonly presignedAt: number;
}

const GRAPH = "graph";

export class CommitteeService {
  private constructor(
    private readonly store: FlowStore,
    private readonly committee: Committee,
    private readonly members: () => CommitteeMember[],
  ) {}

  /** Opens the committee's database under `<dir>`; `members` gives fresh members (nonce state) per round. */
  static async open(
    dir: string,
    committee: Committee,
    members: () => CommitteeMember[],
  ): Promise<CommitteeService> {
    return new CommitteeService(await FlowStore.open(path.join(dir)), committee, members);
  }

  get aggregateKey(): Uint8Array {
    return this.committee.aggregateKey;
  }

  /** Presigns `input`'s graph for the deposit `depositRaw`, records it, returns the presignatures. */
  async presign(input: GraphInput, depositRaw: Uint8Array): Promise<Presignatures> {
    if (bytesToHex(input.committee.aggregateKey) !== bytesToHex(this.committee.aggregateKey))
      throw new BridgeError(
        "INVALID_COMMITTEE",
        "the graph names another committee",
        bytesToHex(input.committee.aggregateKey),
      );
    const presigned = presignGraph(input, depositRaw, this.members());
    const graph = buildPegOutGraph(input);
    const record: GraphRecord = {
      depositTxid: input.depositOutpoint.txid,
      pegInConfirmTxid: graph.pegInConfirm.txid,
      poolSats: graph.pegInConfirm.output(0).amount,
      input: graphInputToJson(input),
      presigned: presignaturesToJson(presigned),
      presignedAt: Date.now(),
    };
    await this.store.put(GRAPH, record.pegInConfirmTxid, record);
    return presigned;
  }

  /** Every graph presigned so far, by PegInConfirm txid. */
  async graphs(): Promise<GraphRecord[]> {
    return this.store.list<GraphRecord>(GRAPH);
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

/** A graph record's input, checked again field by field. */
export const graphInputOf = (r: GraphRecord): GraphInput => graphInputFromJson(r.input);
