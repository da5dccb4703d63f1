/**
 * Bridge benchmark: committee presigning time for one deposit's graph at several committee
 * sizes, the size of every graph transaction, and on the devnet services (default intervals)
 * the user-facing waits: deposit → L2 credit, burn → Take1 (the operator service pays on L1,
 * proves on the L2, KickOff, the devnet's 2-block challenge window, Take1), a withdrawal of an
 * amount unlike any peg-in → paid and proven; and kill -9 recovery: seconds from the restart of
 * a killed process to the resumed credit and to the resumed payout.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { schnorr } from "@noble/curves/secp256k1.js";
import { JsonRpcProvider, Wallet } from "ethers";
import { createInterface } from "node:readline";
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
import { FlowStore } from "../ts/bridge/index.js";
import { BitcoindRpcBackend, type BitcoinBackend } from "../ts/btcnode/index.js";
import type { DepositRecord } from "../ts/depositor/index.js";
import { devnetDepositor, lvmBridge } from "../ts/devnet/bridge.js";
import { bridgeRpc, remotePresigner } from "../ts/devnet/committee.js";
import { l1DevKey } from "../ts/devnet/l1.js";
import { devnetServices } from "../ts/devnet/services.js";
import { devAccounts, loadBridgeCode } from "../ts/l2/index.js";
import type { OperatorStatus } from "../ts/operator/index.js";

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
  Object.assign(out, await recoveryTimings());
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number =>
  Number([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(2));
const seconds = (t0: number): number => (performance.now() - t0) / 1000;

async function waitFor(check: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("bench bridge: timed out");
    await sleep(50);
  }
}

const paidTo = async (l1: BitcoinBackend, script: Uint8Array): Promise<bigint> =>
  (await l1.scanUtxos(script)).reduce((a, u) => a + BigInt(u.value), 0n);

/**
 * On the devnet profile, through the services `npm start` runs (default intervals: 1 s L2
 * blocks, 1 s relayer polling, 2 s operator rounds): deposit → L2 credit (from the start of the
 * flow), burn of the whole credit → Take1, and a withdrawal of a tenth of a deposit → paid on
 * L1 and proven on the L2 (the operator fronts it; its claim waits until its payouts cover a peg-in).
 */
async function devnetTimings(runs: number): Promise<Record<string, unknown>> {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const lcFile = path.join(repo, "artifacts/contracts/bitcoin/BtcLightClient.sol/BtcLightClient.json");
  if (!existsSync(lcFile))
    throw new Error("bench bridge: run `npx hardhat build` first (needs the contracts)");
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-bridge-"));
  const devnet = devnetServices({
    bridgeCode: await loadBridgeCode(repo),
    artifacts: path.join(repo, "artifacts"),
    ports: { l1: 0, l2: 0, committee: 0 },
    prover: "none",
    operatorLog: () => undefined,
  });
  let store: FlowStore | undefined;
  try {
    for (const svc of devnet.all) await svc.start(dir);
    const backend = devnet.l1.backend();
    const dev = l1DevKey();
    const provider = new JsonRpcProvider(devnet.l2.url(), undefined, {
      staticNetwork: true,
      cacheTimeout: -1,
      pollingInterval: 100,
    });
    const user = devAccounts(3)[2]!;
    const userBridge = lvmBridge(new Wallet(user.privateKey, provider));
    store = await FlowStore.open(path.join(dir, "bridge", "depositor"));
    const depositor = devnetDepositor({
      store,
      l1: backend,
      bridge: lvmBridge(new Wallet(devAccounts(1)[0]!.privateKey, provider)),
      secret: dev.secret,
      presign: remotePresigner(devnet.committee.url()),
      mineTo: dev.address,
    });
    const payee = (i: number): Uint8Array =>
      Uint8Array.from(Buffer.from("0014" + i.toString(16).padStart(40, "0"), "hex"));
    let n = 0;
    const burn = async (sats: bigint): Promise<Uint8Array> => {
      const script = payee(++n);
      await (
        await userBridge.withdraw("0x" + Buffer.from(script).toString("hex"), { value: sats * 10n ** 10n })
      ).wait();
      return script;
    };
    const credit: number[] = [];
    const pegOut: number[] = [];
    const unlike: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = await depositor.start(await depositor.prepare(10_000_000n, user.address));
      credit.push(seconds(t0));
      const t1 = performance.now();
      const claims = (await devnet.operator.status()).claims.length;
      const script = await burn(r.creditedSats);
      await waitFor(
        async () =>
          (await devnet.operator.status()).claims.filter((c) => c.step === "reimbursed").length > claims,
      );
      if ((await paidTo(backend, script)) !== r.creditedSats) throw new Error("bench bridge: payout amount");
      pegOut.push(seconds(t1));
    }
    // Amounts unlike any peg-in: a tenth of a 0.5 deposit, paid as soon as the operator sees it.
    const big = await depositor.start(await depositor.prepare(50_000_000n, user.address));
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const script = await burn(5_000_000n + BigInt(i) * 1_234n);
      await waitFor(async () => (await paidTo(backend, script)) > 0n);
      const id = BigInt(n - 1);
      await waitFor(
        async () => (await devnet.operator.status()).withdrawals.find((w) => w.id === id)?.step === "proven",
      );
      unlike.push(seconds(t));
    }
    void big;
    provider.destroy();
    return {
      devnet_deposit_to_l2_credit_s_median: median(credit),
      devnet_deposit_to_l2_credit_s_max: Number(Math.max(...credit).toFixed(2)),
      devnet_burn_to_take1_s_median: median(pegOut),
      devnet_burn_to_take1_s_max: Number(Math.max(...pegOut).toFixed(2)),
      devnet_round_trips: runs,
      devnet_withdrawal_unlike_pegin_to_proven_s_median: median(unlike),
      devnet_withdrawal_unlike_pegin_to_proven_s_max: Number(Math.max(...unlike).toFixed(2)),
      devnet_withdrawals_unlike_pegin: runs,
    };
  } finally {
    await store?.close();
    for (const svc of [...devnet.all].reverse()) await svc.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A child process whose stdout lines are kept; `line` waits for one. */
function child(repo: string, script: string, args: string[], env: Record<string, string> = {}) {
  const proc: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", path.join(repo, "test/devnet", script), ...args],
    {
      cwd: repo,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines: string[] = [];
  createInterface({ input: proc.stdout! }).on("line", (l) => lines.push(l));
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  return {
    async line(re: RegExp): Promise<void> {
      await waitFor(async () => lines.some((l) => re.test(l)), 180_000);
    },
    async kill9(): Promise<void> {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGKILL");
        await exited;
      }
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * kill -9 recovery, with the crash test's processes (test/devnet/crash-*.ts): the CLI killed
 * right after PegInConfirm is broadcast, then `bridge:resume` started → the L2 credit; the
 * devnet killed while its operator has just broadcast a payout (before it is mined), then the
 * devnet started again → the payout proven on the L2. Each figure runs from the restart
 * (process spawn) and so includes its start-up.
 */
async function recoveryTimings(): Promise<Record<string, unknown>> {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-bridge-crash-"));
  const ports = [await freePort(), await freePort(), await freePort()];
  const l1url = `http://127.0.0.1:${ports[0]}`;
  const l2url = `http://127.0.0.1:${ports[1]}`;
  const user = devAccounts(3)[2]!;
  let devnet = child(repo, "crash-devnet.ts", [dir, ...ports.map(String)], { CRASH_AT: "sent:payout" });
  const provider = new JsonRpcProvider(l2url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    await devnet.line(/Devnet running/);
    const cli = child(repo, "crash-cli.ts", ["deposit", dir, l1url, l2url, "0.1", user.address], {
      CRASH_AT: "sent:pegInConfirm",
    });
    await cli.line(/^PAUSED sent:pegInConfirm$/);
    await cli.kill9();
    const store = await FlowStore.open(path.join(dir, "bridge", "depositor"));
    const [rec] = await store.list<DepositRecord>("deposit");
    await store.close();
    const bridge = lvmBridge(provider);
    const internal = "0x" + Buffer.from(rec!.pegInConfirmTxid, "hex").reverse().toString("hex");
    const t0 = performance.now();
    const resume = child(repo, "crash-cli.ts", ["resume", dir, l1url, l2url]);
    await waitFor(() => bridge.credited(internal));
    const toCredit = seconds(t0);
    await resume.line(/^EXIT/);
    // The devnet's operator pays the withdrawal, pauses right after the broadcast, is killed.
    const userBridge = lvmBridge(new Wallet(user.privateKey, provider));
    await (await userBridge.withdraw("0x0014" + "cd".repeat(20), { value: 3_000_000n * 10n ** 10n })).wait();
    await devnet.line(/^PAUSED sent:payout$/);
    await devnet.kill9();
    const t1 = performance.now();
    devnet = child(repo, "crash-devnet.ts", [dir, ...ports.map(String)]);
    await devnet.line(/Devnet running/);
    const ready = seconds(t1);
    await waitFor(async () => (await bridge.payouts(0n))[0] !== "0x0000000000000000000000000000000000000000");
    const toPayout = seconds(t1);
    const statusOf = () => bridgeRpc<OperatorStatus>(`http://127.0.0.1:${ports[2]}`, "bridge_status");
    await waitFor(async () => (await statusOf()).withdrawals[0]?.step === "proven");
    const s = await statusOf();
    const l1 = await BitcoindRpcBackend.connect({
      url: l1url,
      cookieFile: path.join(dir, "btc", ".cookie"),
      network: "regtest",
    });
    const paid = await paidTo(l1, Uint8Array.from(Buffer.from("0014" + "cd".repeat(20), "hex")));
    await l1.close();
    if (paid !== 3_000_000n || s.withdrawals[0]?.step !== "proven")
      throw new Error("bench bridge: recovery paid wrong");
    return {
      recovery_cli_kill9_resume_to_credit_s: Number(toCredit.toFixed(2)),
      recovery_devnet_kill9_restart_to_ready_s: Number(ready.toFixed(2)),
      recovery_devnet_kill9_restart_to_payout_proven_s: Number(toPayout.toFixed(2)),
    };
  } finally {
    provider.destroy();
    await devnet.kill9();
    rmSync(dir, { recursive: true, force: true });
  }
}
