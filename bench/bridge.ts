/**
 * Bridge benchmark (this slice): committee presigning time for one deposit's graph at several
 * committee sizes, and the size of every graph transaction. The devnet timings of the full flow
 * (deposit broadcast → L2 credit, burn → Take1) join once the L2 and relayer are wired in.
 */
import { schnorr } from "@noble/curves/secp256k1.js";
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
  return out;
}
