/**
 * The BitVM2 bridge on the devnet: a committee and an operator with deterministic, public test
 * keys (like Hardhat's mnemonic: never use them with real funds), and the peg-in as a user runs
 * it — deposit from the L1 dev key, committee presigning, PegInConfirm, SPV credit on the L2.
 */
import { schnorr } from "@noble/curves/secp256k1.js";
import { Transaction as ScureTx } from "@scure/btc-signer/transaction.js";
import { Contract, type ContractRunner } from "ethers";

import { Transaction, bytesToHex, sha256 } from "../bitcoin/index.js";
import {
  Committee,
  CommitteeMember,
  CommitteeSigner,
  bridgeParams,
  buildDepositPsbt,
  buildPegOutGraph,
  completeKickOff,
  completePegInConfirm,
  completeTake1,
  keyPathOutput,
  l2Address,
  spvProof,
  poolOutput,
  presignGraph,
  sats,
  txid,
  xOnlyKey,
  type BridgeParams,
  type GraphInput,
  type PegOutGraph,
  type Presignatures,
  type Txid,
  type Utxo,
} from "../bridge/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";
import { BRIDGE_ADDRESS, type BatchProof } from "../l2/index.js";
import type { ChunkProof } from "../l2/zk-prover.js";
import { asGroth16, groth16Calldata } from "../zk/index.js";

const tag = (label: string): Uint8Array => sha256(new TextEncoder().encode(`bitlayer-lvm devnet ${label}`));

/** Committee size on the devnet. */
export const DEVNET_COMMITTEE_SIZE = 3;

/** The devnet committee: three signers whose secrets anyone can derive. */
export function devnetCommittee(): { committee: Committee; members: () => CommitteeMember[] } {
  const secrets = Array.from({ length: DEVNET_COMMITTEE_SIZE }, (_, i) => tag(`committee ${i}`));
  const committee = new Committee(secrets.map((s) => new CommitteeSigner(s).publicKey));
  // Members hold per-session nonce state: fresh ones for every presigning.
  return { committee, members: () => secrets.map((s) => new CommitteeMember(new CommitteeSigner(s))) };
}

/** The devnet operator's key (it fronts peg-outs and is reimbursed by Take1). */
export const devnetOperatorSecret = (): Uint8Array => tag("operator 0");

/** x-only output key of the devnet committee's pool: what the L2 bridge is configured with. */
export function devnetPoolKey(): string {
  return "0x" + bytesToHex(poolOutput(devnetCommittee().committee).outputKey);
}

/** The L2 bridge's configuration and functions the devnet uses. */
export const LVM_BRIDGE_ABI = [
  "function configure(address lightClient, uint32 confirmations, bytes32 poolKey)",
  "function config() view returns (address lightClient, uint32 confirmations, bytes32 poolKey)",
  "function governor() view returns (address)",
  "function creditPegIn(bytes rawTx, bytes header, uint256 txIndex, bytes merkleBranch) returns (bytes32)",
  "function credited(bytes32 txid) view returns (bool)",
  "function peggedInSats() view returns (uint256)",
  "function circulatingSupply() view returns (uint256)",
  "function withdrawalCount() view returns (uint256)",
  "function withdraw(bytes scriptPubKey) payable returns (uint256)",
  "function provePayout(uint256 id, address sender, uint64 sats, bytes scriptPubKey, (bytes rawTx, bytes header, uint256 txIndex, bytes merkleBranch) proof, uint256 vout) returns (bytes32)",
  "function payouts(uint256 id) view returns (address operator, bytes32 txid)",
  "event WithdrawalInitiated(uint256 indexed id, address indexed sender, uint64 sats, bytes scriptPubKey, bytes32 leaf, bytes32 withdrawalRoot)",
  "event PayoutProven(uint256 indexed id, address indexed operator, bytes32 txid, uint64 paidSats, bytes32 payoutsRoot)",
  "error WithdrawalMismatch(uint256 id)",
  "error AlreadyPaidOut(uint256 id, address operator, bytes32 txid)",
  "error PayoutWrongScript(uint256 id, uint256 vout)",
  "error PayoutTooSmall(uint256 id, uint64 paid, uint64 owed)",
  "event PegInCredited(bytes32 indexed txid, address indexed recipient, uint64 sats)",
  "function setBatchVerifier(address verifier)",
  "function batchVerifier() view returns (address)",
  "function recordBatchProof(uint256[2] a, uint256[2][2] b, uint256[2] c, uint256 commitment)",
  "function provenBatches(uint256 commitment) view returns (bool)",
  "error NotConfigured()",
  "error BatchVerifierNotSet()",
  "error BatchAlreadyProven(uint256 commitment)",
  "error InvalidBatchProof(uint256 commitment)",
  "error PegInAlreadyCredited(bytes32 txid)",
  "error PegInTxNotPool(bytes32 scriptHash)",
  "error PegInTxBadTag(bytes script)",
  "error SpvBlockNotInBestChain(bytes32 blockHash)",
  "error SpvInsufficientConfirmations(bytes32 blockHash, uint256 confirmations, uint256 required)",
  "error SpvMerkleMismatch(bytes32 txid, bytes32 computedRoot, bytes32 headerRoot)",
];

export const lvmBridge = (runner: ContractRunner): Contract =>
  new Contract(BRIDGE_ADDRESS, LVM_BRIDGE_ABI, runner);

/** Configures the bridge for the devnet committee if nobody has yet; returns whether it did. */
export async function configureDevnetBridge(
  bridge: Contract,
  lightClient: string,
  params: BridgeParams = bridgeParams("devnet"),
): Promise<boolean> {
  const [current] = (await bridge.getFunction("config")()) as [string];
  if (current !== "0x0000000000000000000000000000000000000000") return false;
  const tx = (await bridge.getFunction("configure")(
    lightClient,
    params.pegInConfirmations,
    devnetPoolKey(),
  )) as {
    wait(): Promise<unknown>;
  };
  await tx.wait();
  return true;
}

/** Mature, unspent coinbase outputs paying `script`, oldest first. */
async function spendable(l1: BitcoinBackend, script: Uint8Array): Promise<Utxo[]> {
  const height = await l1.getBlockCount();
  return (await l1.scanUtxos(script))
    .filter((u) => !u.coinbase || height - u.height >= 100)
    .sort((a, b) => a.height - b.height)
    .map((u) => ({
      txid: txid(u.outpoint.txid),
      vout: u.outpoint.vout,
      amount: sats(u.value),
      script: u.scriptPubKey,
    }));
}

export interface PegInResult {
  readonly depositTxid: Txid;
  readonly pegInConfirmTxid: Txid;
  /** What PegInConfirm locks in the pool: what the L2 credits. */
  readonly creditedSats: bigint;
  /** The deposit's peg-out graph and the committee's presignatures: what the operator holds. */
  readonly graph: PegOutGraph;
  readonly presigned: Presignatures;
  /** What the graph was built from (persisted by the devnet, see pegins.ts). */
  readonly input: GraphInput;
}

/**
 * A devnet peg-in: deposit `amount` sats from `depositorSecret`'s coins to the bridge address of
 * the devnet committee for `recipient`, have the committee presign the peg-out graph, broadcast
 * PegInConfirm and mine until it is `confirmations` deep (regtest mining pays `mineTo`).
 */
export async function devnetPegIn(opts: {
  l1: BitcoinBackend;
  depositorSecret: Uint8Array;
  recipient: string;
  amount: bigint;
  mineTo: string;
  params?: BridgeParams;
  /** How the committee presigns (default: in process with the devnet committee). */
  presign?: (input: GraphInput, depositRaw: Uint8Array) => Promise<Presignatures>;
}): Promise<PegInResult> {
  const params = opts.params ?? bridgeParams("devnet");
  const { committee, members } = devnetCommittee();
  const depKey = xOnlyKey(schnorr.getPublicKey(opts.depositorSecret));
  const depScript = keyPathOutput(depKey).script;
  const opSecret = devnetOperatorSecret();
  const opKey = xOnlyKey(schnorr.getPublicKey(opSecret));
  const coins = await spendable(opts.l1, depScript);
  const funding = coins.find((c) => c.amount >= opts.amount + 10_000n);
  // The operator's KickOff is funded from one of the depositor's coins on the devnet, moved to
  // the operator first, so one funded dev key runs the whole flow.
  const opFundingSource = coins.find((c) => c !== funding);
  if (funding === undefined || opFundingSource === undefined)
    throw new Error(
      `the depositor needs two mature coins (one above ${opts.amount} sats); mine 101 blocks to ${opts.mineTo}`,
    );
  const opScript = keyPathOutput(opKey).script;
  const opFunding = await payTo(opts.l1, opFundingSource, opts.depositorSecret, depKey, opScript, 2_000_000n);
  const deposit = { depositor: depKey, recipient: l2Address(opts.recipient), amount: sats(opts.amount) };
  const { psbt } = buildDepositPsbt({
    committee,
    params,
    deposit,
    inputs: [{ ...funding, tapInternalKey: depKey }],
    changeScript: depScript,
  });
  const wallet = ScureTx.fromPSBT(psbt);
  wallet.sign(opts.depositorSecret);
  wallet.finalize();
  const depositRaw = wallet.extract();
  const depositTxid = await opts.l1.sendTransaction(Transaction.decode(depositRaw));
  await opts.l1.mine(1, opts.mineTo);
  const input: GraphInput = {
    committee,
    params,
    deposit,
    depositOutpoint: { txid: txid(depositTxid), vout: 0 },
    operator: { key: opKey, funding: opFunding, payoutScript: opScript },
  };
  const graph = buildPegOutGraph(input);
  const presigned =
    opts.presign === undefined
      ? presignGraph(input, depositRaw, members())
      : await opts.presign(input, depositRaw);
  const confirm = completePegInConfirm(graph, presigned, opts.depositorSecret);
  await opts.l1.sendTransaction(Transaction.decode(confirm));
  await opts.l1.mine(params.pegInConfirmations, opts.mineTo);
  return {
    depositTxid: txid(depositTxid),
    pegInConfirmTxid: graph.pegInConfirm.txid,
    creditedSats: graph.pegInConfirm.output(0).amount,
    graph,
    presigned,
    input,
  };
}

/** Sends `amount` from `coin` (key path of `key`) to `script`, change back; returns the new output. */
async function payTo(
  l1: BitcoinBackend,
  coin: Utxo,
  secret: Uint8Array,
  key: Uint8Array,
  script: Uint8Array,
  amount: bigint,
): Promise<Utxo> {
  const tx = new ScureTx();
  tx.addInput({
    txid: coin.txid,
    index: coin.vout,
    witnessUtxo: { script: coin.script, amount: coin.amount },
    tapInternalKey: key,
  });
  tx.addOutput({ script, amount });
  tx.addOutput({ script: coin.script, amount: coin.amount - amount - 1_000n });
  tx.sign(secret);
  tx.finalize();
  const id = await l1.sendTransaction(Transaction.decode(tx.extract()));
  return { txid: txid(id), vout: 0, amount: sats(amount), script };
}

/**
 * Credits `pegInConfirm` on the L2 once the light client holds its block at the configured depth
 * (the relayer follows L1 on its own); polls up to `timeoutMs`.
 */
export async function creditWhenRelayed(opts: {
  l1: BitcoinBackend;
  bridge: Contract;
  pegInConfirm: Txid;
  timeoutMs?: number;
}): Promise<{ l2TxHash: string }> {
  const hash = await whenRelayed(opts.bridge, opts.timeoutMs, async () => {
    const proof = await spvProof(opts.l1, opts.pegInConfirm);
    const tx = (await opts.bridge.getFunction("creditPegIn")(
      proof.rawTx,
      proof.header,
      proof.txIndex,
      proof.merkleBranch,
    )) as { hash: string; wait(): Promise<unknown> };
    await tx.wait();
    return tx.hash;
  });
  return { l2TxHash: hash };
}

/**
 * Runs `submit` (an L2 transaction carrying an SPV proof) until the light client has the block at
 * the bridge's depth: the relayer follows L1 on its own. Any other refusal is final.
 */
async function whenRelayed<T>(bridge: Contract, timeoutMs = 60_000, submit: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await submit();
    } catch (e) {
      const data = (e as { data?: string | null }).data;
      const name = typeof data === "string" ? bridge.interface.parseError(data)?.name : undefined;
      const waiting = name === "SpvBlockNotInBestChain" || name === "SpvInsufficientConfirmations";
      if (!waiting || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** The bridge invariant: BTC outside the bridge on the L2 never exceeds BTC in the pool on L1. */
export async function bridgeInvariant(
  l1: BitcoinBackend,
  bridge: Contract,
): Promise<{ l2OutsideSats: bigint; l1LockedSats: bigint; holds: boolean }> {
  const [, , poolKey] = (await bridge.getFunction("config")()) as [string, bigint, string];
  const wei = (await bridge.getFunction("circulatingSupply")()) as bigint;
  const pool = Uint8Array.of(0x51, 0x20, ...Buffer.from(poolKey.slice(2), "hex"));
  const l1LockedSats = (await l1.scanUtxos(pool)).reduce((acc, u) => acc + BigInt(u.value), 0n);
  // Wei below a satoshi cannot be withdrawn; round up so dust never hides a shortfall.
  const l2OutsideSats = (wei + 10n ** 10n - 1n) / 10n ** 10n;
  return { l2OutsideSats, l1LockedSats, holds: l2OutsideSats <= l1LockedSats };
}

/** A withdrawal as the L2 bridge recorded it (its WithdrawalInitiated event). */
export interface Withdrawal {
  readonly id: bigint;
  readonly sender: string;
  readonly sats: bigint;
  readonly scriptPubKey: string;
}

/** The withdrawal an L2 transaction made, read from its receipt. */
export async function withdrawalOf(bridge: Contract, l2TxHash: string): Promise<Withdrawal> {
  const provider = bridge.runner?.provider;
  const receipt = provider ? await provider.getTransactionReceipt(l2TxHash) : null;
  for (const log of receipt?.logs ?? []) {
    const ev = bridge.interface.parseLog(log);
    if (ev?.name === "WithdrawalInitiated")
      return {
        id: ev.args.getValue("id") as bigint,
        sender: ev.args.getValue("sender") as string,
        sats: ev.args.getValue("sats") as bigint,
        scriptPubKey: ev.args.getValue("scriptPubKey") as string,
      };
  }
  throw new Error(`no withdrawal in L2 transaction ${l2TxHash}`);
}

/**
 * The operator's side of a peg-out on the devnet: pay the withdrawal on L1 from `payerSecret`'s
 * coins, wait until it is relayed deep enough, and prove the payout on the L2 (as `bridge`'s signer).
 */
export async function devnetPayout(opts: {
  l1: BitcoinBackend;
  bridge: Contract;
  withdrawal: Withdrawal;
  payerSecret: Uint8Array;
  mineTo: string;
  params?: BridgeParams;
  timeoutMs?: number;
}): Promise<{ payoutTxid: Txid }> {
  const params = opts.params ?? bridgeParams("devnet");
  const key = xOnlyKey(schnorr.getPublicKey(opts.payerSecret));
  const coin = (await spendable(opts.l1, keyPathOutput(key).script)).find(
    (c) => c.amount >= opts.withdrawal.sats + 10_000n,
  );
  if (coin === undefined) throw new Error(`the operator has no coin above ${opts.withdrawal.sats} sats`);
  const script = Uint8Array.from(Buffer.from(opts.withdrawal.scriptPubKey.slice(2), "hex"));
  const paid = await payTo(opts.l1, coin, opts.payerSecret, key, script, opts.withdrawal.sats);
  await opts.l1.mine(params.pegInConfirmations, opts.mineTo);
  const w = opts.withdrawal;
  await whenRelayed(opts.bridge, opts.timeoutMs, async () => {
    const proof = await spvProof(opts.l1, paid.txid);
    const tx = (await opts.bridge.getFunction("provePayout")(
      w.id,
      w.sender,
      w.sats,
      w.scriptPubKey,
      proof,
      0,
    )) as {
      wait(): Promise<unknown>;
    };
    await tx.wait();
  });
  return { payoutTxid: paid.txid };
}

/**
 * The operator's reimbursement on L1: KickOff (its claim), then — nobody challenging within the
 * challenge window — Take1, which pays it the deposit from the pool. Mines on the devnet.
 */
export async function devnetReimburse(opts: {
  l1: BitcoinBackend;
  pegIn: Pick<PegInResult, "graph" | "presigned">;
  operatorSecret: Uint8Array;
  mineTo: string;
  params?: BridgeParams;
}): Promise<{ kickOffTxid: Txid; take1Txid: Txid; reimbursedSats: bigint }> {
  const params = opts.params ?? bridgeParams("devnet");
  const { graph, presigned } = opts.pegIn;
  // Idempotent, so a claim cut short by a restart resumes: each step is skipped once on chain.
  const kickOff = await opts.l1.getTxStatus(graph.kickOff.txid);
  if (kickOff === undefined)
    await opts.l1.sendTransaction(Transaction.decode(completeKickOff(graph, opts.operatorSecret)));
  const depth = kickOff?.confirmations ?? 0;
  if (depth < params.challengeTimelock) await opts.l1.mine(params.challengeTimelock - depth, opts.mineTo);
  if ((await opts.l1.getTxStatus(graph.take1.txid)) === undefined) {
    await opts.l1.sendTransaction(Transaction.decode(completeTake1(graph, presigned, opts.operatorSecret)));
    await opts.l1.mine(1, opts.mineTo);
  }
  return {
    kickOffTxid: graph.kickOff.txid,
    take1Txid: graph.take1.txid,
    reimbursedSats: graph.take1.output(0).amount,
  };
}

/** Sets the bridge's batch verifier if nobody has yet (as the governor); returns whether it did. */
export async function setDevnetBatchVerifier(bridge: Contract, verifier: string): Promise<boolean> {
  const current = (await bridge.getFunction("batchVerifier")()) as string;
  if (current !== "0x0000000000000000000000000000000000000000") return false;
  await ((await bridge.getFunction("setBatchVerifier")(verifier)) as { wait(): Promise<unknown> }).wait();
  return true;
}

/** Submits every chunk proof of a batch to the L2 bridge, which verifies it with the batch verifier. */
export async function submitBatchProofs(bridge: Contract, proof: BatchProof): Promise<number> {
  let submitted = 0;
  for (const chunk of proof.proof as ChunkProof[]) {
    const { a, b, c, pub } = groth16Calldata(asGroth16(chunk.proof));
    const tx = (await bridge.getFunction("recordBatchProof")(a, b, c, pub[0])) as {
      wait(): Promise<unknown>;
    };
    await tx.wait();
    submitted++;
  }
  return submitted;
}
