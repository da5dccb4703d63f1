/**
 * Bridge benchmark (this slice): committee presigning time for one deposit's graph at several
 * committee sizes, the size of every graph transaction, and on the devnet services (default
 * intervals) the two user-facing waits: deposit → L2 credit, and burn → Take1 (operator payout
 * on L1, payout proven on the L2, KickOff, the devnet's 2-block challenge window, Take1).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { schnorr } from "@noble/curves/secp256k1.js";
import { JsonRpcProvider, Wallet, type InterfaceAbi } from "ethers";
import { Transaction } from "@scure/btc-signer/transaction.js";
import {
  bridgeParams,
  buildDepositPsbt,
  buildPegInRefund,
  buildPegOutGraph,
  Committee,
  CommitteeMember,
  CommitteeSigner,
  completeAssert,
  completeKickOff,
  completePegInConfirm,
  completeTake1,
  completeTake2,
  committeeSpends,
  keyPathOutput,
  l2Address,
  presignGraph,
  sats,
  txid,
  xOnlyKey,
  type GraphInput,
} from "../ts/bridge/index.js";
import {
  creditWhenRelayed,
  devnetOperatorSecret,
  devnetPayout,
  devnetPegIn,
  devnetReimburse,
  lvmBridge,
  withdrawalOf,
} from "../ts/devnet/bridge.js";
import { l1DevKey } from "../ts/devnet/l1.js";
import { devnetServices } from "../ts/devnet/services.js";
import { devAccounts, loadBridgeCode } from "../ts/l2/index.js";

function setup(n: number): {
  input: GraphInput;
  raw: Uint8Array;
  members: CommitteeMember[];
  dep: Uint8Array;
  op: Uint8Array;
} {
  const params = bridgeParams("mainnet");
  const signers = Array.from({ length: n }, () => CommitteeSigner.random());
  const committee = new Committee(signers.map((s) => s.publicKey));
  const dep = schnorr.utils.randomSecretKey();
  const op = schnorr.utils.randomSecretKey();
  const depKey = xOnlyKey(schnorr.getPublicKey(dep));
  const opKey = xOnlyKey(schnorr.getPublicKey(op));
  const wallet = keyPathOutput(depKey).script;
  const deposit = {
    depositor: depKey,
    recipient: l2Address("0x" + "11".repeat(20)),
    amount: sats(10_000_000),
  };
  const funding = {
    txid: txid("aa".repeat(32)),
    vout: 0,
    amount: sats(20_000_000),
    script: wallet,
    tapInternalKey: depKey,
  };
  const { psbt } = buildDepositPsbt({ committee, params, deposit, inputs: [funding], changeScript: wallet });
  const t = Transaction.fromPSBT(psbt);
  t.sign(dep);
  t.finalize();
  const opFunding = {
    txid: txid("bb".repeat(32)),
    vout: 0,
    amount: sats(5_000_000),
    script: keyPathOutput(opKey).script,
  };
  const input: GraphInput = {
    committee,
    params,
    deposit,
    depositOutpoint: { txid: txid(t.id), vout: 0 },
    operator: { key: opKey, funding: opFunding, payoutScript: keyPathOutput(opKey).script },
  };
  return { input, raw: t.extract(), members: signers.map((s) => new CommitteeMember(s)), dep, op };
}

export default async function main(args: string[]): Promise<Record<string, unknown>> {
  const reps = Number(args[0] ?? 3);
  const out: Record<string, unknown> = {};
  for (const n of [3, 7, 15]) {
    const s = setup(n);
    presignGraph(s.input, s.raw, s.members); // warm-up
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) presignGraph(s.input, s.raw, s.members);
    out[`presign_graph_n${n}_ms`] = Number(((performance.now() - t0) / reps).toFixed(1));
  }
  const s = setup(3);
  const g = buildPegOutGraph(s.input);
  const p = presignGraph(s.input, s.raw, s.members);
  out.presignatures_per_deposit = committeeSpends(g).length;
  const sizes: Record<string, Uint8Array> = {
    pegin_confirm: completePegInConfirm(g, p, s.dep),
    kickoff: completeKickOff(g, s.op),
    take1: completeTake1(g, p, s.op),
    assert: completeAssert(g, s.op),
    take2: completeTake2(g, p),
  };
  for (const [name, raw] of Object.entries(sizes))
    out[`${name}_vbytes`] = Math.ceil(
      Transaction.fromRaw(raw, {
        allowUnknownOutputs: true,
        allowUnknownInputs: true,
        disableScriptCheck: true,
      }).weight / 4,
    );
  const refund = buildPegInRefund({
    committee: s.input.committee,
    params: s.input.params,
    deposit: s.input.deposit,
    depositOutpoint: s.input.depositOutpoint,
    destination: keyPathOutput(s.input.deposit.depositor).script,
    sign: (m) => schnorr.sign(m, s.dep),
  });
  out.refund_vbytes = refund.vsize;
  out.mainnet_fee_rate_sat_per_vb = Number(s.input.params.feeRate);
  Object.assign(out, await devnetTimings(reps));
  return out;
}

/**
 * Deposit → L2 credit on the devnet profile, through the services `npm start` runs (default
 * intervals: 1 s L2 blocks, 1 s relayer polling): from the start of the peg-in (the deposit is
 * broadcast a few ms later) until the L2 transaction crediting it is mined.
 */
async function devnetTimings(runs: number): Promise<Record<string, unknown>> {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const lcFile = path.join(repo, "artifacts/contracts/bitcoin/BtcLightClient.sol/BtcLightClient.json");
  if (!existsSync(lcFile))
    throw new Error("bench bridge: run `npx hardhat build` first (needs the contracts)");
  const lc = JSON.parse(readFileSync(lcFile, "utf8")) as { abi: InterfaceAbi; bytecode: string };
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-bridge-"));
  // The npm start services at their default intervals; the bench plays depositor and operator.
  const devnet = devnetServices({
    bridgeCode: await loadBridgeCode(repo),
    lightClient: lc,
    ports: { l1: 0, l2: 0, committee: 0 },
    prover: "none",
  });
  const { l1, l2 } = devnet;
  const services = devnet.all.filter((svc) => svc !== devnet.operator);
  try {
    for (const svc of services) await svc.start(dir);
    const backend = l1.backend();
    const dev = l1DevKey();
    await backend.mine(3 * runs + 1, dev.address);
    const provider = new JsonRpcProvider(l2.url(), undefined, {
      staticNetwork: true,
      cacheTimeout: -1,
      pollingInterval: 100,
    });
    const bridge = lvmBridge(new Wallet(devAccounts(1)[0]!.privateKey, provider));
    const user = devAccounts(2)[1]!;
    const userBridge = lvmBridge(new Wallet(user.privateKey, provider));
    const operatorBridge = lvmBridge(new Wallet(devAccounts(9)[8]!.privateKey, provider));
    const credit: number[] = [];
    const pegOut: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const pegIn = await devnetPegIn({
        l1: backend,
        depositorSecret: dev.secret,
        recipient: user.address,
        amount: 10_000_000n,
        mineTo: dev.address,
      });
      await creditWhenRelayed({ l1: backend, bridge, pegInConfirm: pegIn.pegInConfirmTxid });
      credit.push((performance.now() - t0) / 1000);
      // Burn → payout proven on L2 → KickOff → challenge window (devnet: 2 blocks) → Take1.
      const t1 = performance.now();
      const burn = (await userBridge.getFunction("withdraw")("0x0014" + "ab".repeat(20), {
        value: pegIn.creditedSats * 10n ** 10n,
      })) as { hash: string; wait(): Promise<unknown> };
      await burn.wait();
      const withdrawal = await withdrawalOf(userBridge, burn.hash);
      await devnetPayout({
        l1: backend,
        bridge: operatorBridge,
        withdrawal,
        payerSecret: dev.secret,
        mineTo: dev.address,
      });
      await devnetReimburse({
        l1: backend,
        pegIn,
        operatorSecret: devnetOperatorSecret(),
        mineTo: dev.address,
      });
      pegOut.push((performance.now() - t1) / 1000);
    }
    provider.destroy();
    const median = (xs: number[]): number =>
      Number([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(2));
    return {
      devnet_deposit_to_l2_credit_s_median: median(credit),
      devnet_deposit_to_l2_credit_s_max: Number(Math.max(...credit).toFixed(2)),
      devnet_burn_to_take1_s_median: median(pegOut),
      devnet_burn_to_take1_s_max: Number(Math.max(...pegOut).toFixed(2)),
      devnet_round_trips: runs,
    };
  } finally {
    for (const svc of [...services].reverse()) await svc.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
