/**
 * The BitVM2 bridge on the devnet: a committee and an operator with deterministic, public test
 * keys (like Hardhat's mnemonic: never use them with real funds), the bridge invariant check, and the roles (`ts/depositor`,
 * `ts/operator`, `ts/committee`) wired with those keys.
 */
import { schnorr } from "@noble/curves/secp256k1.js";
import type { ContractRunner } from "ethers";

import { bytesToHex, sha256 } from "../bitcoin/index.js";
import {
  Committee,
  CommitteeMember,
  CommitteeSigner,
  bridgeParams,
  keyPathOutput,
  lvmBridge as typedBridge,
  poolOutput,
  xOnlyKey,
  type BridgeParams,
  type FlowStore,
  type LvmBridge,
} from "../bridge/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";
import { Depositor, type DepositRecord, type FlowHook, type Presigner } from "../depositor/index.js";
import type { BatchProof, ChunkProof } from "../l2/index.js";
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

/** The devnet operator's L1 key (it fronts peg-outs and is reimbursed by Take1). */
export const devnetOperatorSecret = (): Uint8Array => tag("operator 0");

/** The devnet operator's key and its BIP86 script (its wallet, KickOff coins, Take1 payouts). */
export function devnetOperatorKey(): { key: ReturnType<typeof xOnlyKey>; script: Uint8Array } {
  const key = xOnlyKey(schnorr.getPublicKey(devnetOperatorSecret()));
  return { key, script: keyPathOutput(key).script };
}

/** What the depositor pays the operator for each graph's KickOff (connectors, stake, fee). */
export const DEVNET_KICKOFF_FUNDING_SATS = 2_000_000n;

/** x-only output key of the devnet committee's pool: what the L2 bridge is configured with. */
export function devnetPoolKey(): string {
  return "0x" + bytesToHex(poolOutput(devnetCommittee().committee).outputKey);
}

/** The bridge predeploy through its generated typechain binding. */
export const lvmBridge = (runner: ContractRunner): LvmBridge => typedBridge(runner);

const ZERO = "0x0000000000000000000000000000000000000000";

/** A depositor on the devnet: the devnet committee, operator and parameters. */
export function devnetDepositor(opts: {
  store: FlowStore;
  l1: BitcoinBackend;
  bridge: LvmBridge;
  secret: Uint8Array;
  presign: Presigner;
  mineTo?: string;
  hook?: FlowHook<DepositRecord>;
  params?: BridgeParams;
}): Depositor {
  const op = devnetOperatorKey();
  return new Depositor({
    store: opts.store,
    l1: opts.l1,
    bridge: opts.bridge,
    secret: opts.secret,
    committee: devnetCommittee().committee,
    params: opts.params ?? bridgeParams("devnet"),
    operator: { key: op.key, payoutScript: op.script, fundingSats: DEVNET_KICKOFF_FUNDING_SATS },
    presign: opts.presign,
    ...(opts.mineTo === undefined ? {} : { mineTo: opts.mineTo }),
    ...(opts.hook === undefined ? {} : { hook: opts.hook }),
  });
}

export { bridgeInvariant, withdrawalOf, type Withdrawal } from "../bridge/index.js";

/** Sets the bridge's batch verifier if nobody has yet (as the governor); returns whether it did. */
export async function setDevnetBatchVerifier(bridge: LvmBridge, verifier: string): Promise<boolean> {
  if ((await bridge.batchVerifier()) !== ZERO) return false;
  await (await bridge.setBatchVerifier(verifier)).wait();
  return true;
}

/** Submits every chunk proof of a batch to the L2 bridge, which verifies it with the batch verifier. */
export async function submitBatchProofs(bridge: LvmBridge, proof: BatchProof): Promise<number> {
  let submitted = 0;
  for (const chunk of proof.proof as ChunkProof[]) {
    const { a, b, c, pub } = groth16Calldata(asGroth16(chunk.proof));
    await (
      await bridge.recordBatchProof(
        a as [bigint, bigint],
        b as [[bigint, bigint], [bigint, bigint]],
        c as [bigint, bigint],
        pub[0]!,
      )
    ).wait();
    submitted++;
  }
  return submitted;
}
