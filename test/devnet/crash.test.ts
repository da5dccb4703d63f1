/**
 * Crash safety of the bridge flows: the CLI's deposit and the devnet's operator are killed with
 * SIGKILL at every durable step and effect (each process a flow touches: the `bridge:deposit`
 * child, and the devnet child holding the L1 node, the L2 node, the committee and the operator),
 * restarted, and then: no BTC stranded (every deposit credited, its output in the pool or taken
 * by a claim), every withdrawal paid exactly once (one output, its amount), every payout
 * reimbursed exactly once (claims cover disjoint payouts, each Take1 on chain once), the L2
 * balances exact, and the invariant exact against the L1 UTXO set.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

import { schnorr } from "@noble/curves/secp256k1.js";
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";

import { bytesToHex } from "../../ts/bitcoin/index.js";
import { FlowStore, keyPathOutput, xOnlyKey, type Txid } from "../../ts/bridge/index.js";
import { BitcoindRpcBackend } from "../../ts/btcnode/index.js";
import type { DepositRecord } from "../../ts/depositor/index.js";
import { bridgeInvariant, devnetPoolKey, lvmBridge } from "../../ts/devnet/bridge.js";
import { bridgeRpc } from "../../ts/devnet/committee.js";
import { devAccounts } from "../../ts/l2/index.js";
import type { OperatorStatus } from "../../ts/operator/index.js";
import { freePort, root } from "../l2/helpers.js";

class Proc {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private waiters: (() => void)[] = [];
  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on("line", (l) => {
      this.lines.push(l);
      for (const w of this.waiters) w();
    });
    child.stderr!.on("data", (d: Buffer) => this.lines.push(`stderr: ${d.toString("utf8").trimEnd()}`));
    this.exited = new Promise((r) => child.once("exit", (code) => r(code)));
  }
  /** The first line matching `re`, waiting up to `ms`. */
  async line(re: RegExp, ms = 120_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.lines.find((l) => re.test(l));
      if (hit !== undefined) return hit;
      if (this.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`no line ${re} (exit ${this.child.exitCode}):\n${this.lines.slice(-40).join("\n")}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 250);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
      this.waiters = [];
    }
  }
  async kill9(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }
}

const tsx = (script: string, args: string[], env: Record<string, string> = {}): Proc =>
  new Proc(
    spawn(process.execPath, ["--import", "tsx", path.join(root, "test/devnet", script), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );

describe("bridge crash safety: kill -9 of the CLI and of the devnet at every step of deposit and withdrawal", function () {
  let dir: string;
  let ports: number[];
  let devnet: Proc | undefined;
  const recipient = devAccounts(3)[2]!;
  const deposits: Txid[] = [];
  const withdrawals: { id: bigint; sats: bigint; payee: Uint8Array }[] = [];
  let l2Start: bigint;
  let gasSpent = 0n;

  const urls = () => ({ l1: `http://127.0.0.1:${ports[0]}`, l2: `http://127.0.0.1:${ports[1]}` });
  const l1 = () =>
    BitcoindRpcBackend.connect({
      url: urls().l1,
      cookieFile: path.join(dir, "btc", ".cookie"),
      network: "regtest",
    });
  let provider: JsonRpcProvider;

  async function startDevnet(crashAt?: string): Promise<void> {
    await devnet?.kill9();
    devnet = tsx(
      "crash-devnet.ts",
      [dir, ...ports.map(String)],
      crashAt === undefined ? {} : { CRASH_AT: crashAt },
    );
    await devnet.line(/Devnet running/);
  }

  const cli = (mode: "deposit" | "resume", crashAt?: string): Proc =>
    tsx(
      "crash-cli.ts",
      [mode, dir, urls().l1, urls().l2, "0.02", recipient.address],
      crashAt === undefined ? {} : { CRASH_AT: crashAt },
    );

  /** Runs `bridge:resume` to the end; it must succeed. */
  async function resumeAll(): Promise<void> {
    const r = cli("resume");
    await r.line(/^EXIT 0$/, 180_000);
  }

  /** The deposits the CLI recorded (read while no CLI runs). */
  async function depositRecords(): Promise<DepositRecord[]> {
    const store = await FlowStore.open(path.join(dir, "bridge", "depositor"));
    try {
      return await store.list<DepositRecord>("deposit");
    } finally {
      await store.close();
    }
  }

  const status = (): Promise<OperatorStatus> =>
    bridgeRpc<OperatorStatus>(`http://127.0.0.1:${ports[2]}`, "bridge_status");

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "bridge-crash-"));
    ports = [await freePort(), await freePort(), await freePort()];
    await startDevnet();
    provider = new JsonRpcProvider(urls().l2, undefined, {
      staticNetwork: true,
      cacheTimeout: -1,
      pollingInterval: 100,
    });
    l2Start = await provider.getBalance(recipient.address);
  });

  after(async function () {
    provider?.destroy();
    await devnet?.kill9();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function newDeposits(): Promise<DepositRecord[]> {
    const all = await depositRecords();
    const fresh = all.filter((r) => !deposits.includes(r.id));
    for (const r of fresh) deposits.push(r.id);
    return fresh;
  }

  for (const at of [
    "step:built",
    "sent:funding",
    "sent:deposit",
    "step:deposited",
    "step:presigned",
    "step:confirmSigned",
    "sent:pegInConfirm",
    "step:confirmed",
  ])
    it(`deposit: the CLI killed at ${at}, bridge:resume finishes it`, async function () {
      const c = cli("deposit", at);
      await c.line(new RegExp(`^PAUSED ${at}$`));
      await c.kill9();
      await resumeAll();
      const [r] = await newDeposits();
      expect(r?.step).to.equal("credited");
    });

  for (const at of ["sent:deposit", "step:presigned", "sent:pegInConfirm"])
    it(`deposit: the devnet killed while the CLI is at ${at}; restarted, the deposit completes`, async function () {
      const c = cli("deposit", at);
      await c.line(new RegExp(`^PAUSED ${at}$`));
      await startDevnet(); // kill -9, then start again on the same state and ports
      c.child.kill("SIGUSR1");
      const code = await c.exited;
      // The CLI may die on the restart (a new RPC cookie, a refused connection): bridge:resume covers it.
      if (code !== 0 || !c.lines.includes("EXIT 0")) await resumeAll();
      const [r] = await newDeposits();
      expect(r?.step).to.equal("credited");
    });

  it("deposit: the CLI killed after PegInConfirm is broadcast, then the devnet: npm start alone finishes it", async function () {
    const c = cli("deposit", "sent:pegInConfirm");
    await c.line(/^PAUSED sent:pegInConfirm$/);
    await c.kill9();
    await startDevnet(); // its mempool, with PegInConfirm, is gone
    const deadline = Date.now() + 120_000;
    for (;;) {
      const fresh = (await depositRecords()).filter((r) => !deposits.includes(r.id));
      if (fresh.length === 1 && fresh[0]!.step === "credited") break;
      if (Date.now() > deadline) throw new Error(`not resumed:\n${devnet!.lines.slice(-30).join("\n")}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(devnet!.lines.some((l) => /resumed deposit [0-9a-f]{64}: credited/.test(l))).to.equal(true);
    await newDeposits();
  });

  const operatorKills = [
    "step:payout:signed",
    "sent:payout",
    "step:payout:paid",
    "sent:provePayout",
    "step:claim:claiming",
    "sent:kickOff",
    "step:claim:kickedOff",
    "sent:take1",
  ];
  operatorKills.forEach((at, i) =>
    it(`withdrawal: the devnet killed while the operator is at ${at}; restarted, paid once and reimbursed once`, async function () {
      await startDevnet(at);
      const c = cli("deposit");
      await c.line(/^EXIT 0$/, 180_000);
      const [pegIn] = await newDeposits();
      expect(pegIn?.step).to.equal("credited");
      // Odd rounds split the peg-in into two withdrawals of amounts unlike it.
      const amounts = i % 2 === 0 ? [pegIn!.creditedSats] : [700_000n, pegIn!.creditedSats - 700_000n];
      const user = lvmBridge(new Wallet(recipient.privateKey, provider));
      for (const sats of amounts) {
        const payee = keyPathOutput(xOnlyKey(schnorr.getPublicKey(schnorr.utils.randomSecretKey()))).script;
        const receipt = (await (
          await user.withdraw("0x" + bytesToHex(payee), { value: sats * 10n ** 10n })
        ).wait())!;
        gasSpent += receipt.gasUsed * receipt.gasPrice;
        withdrawals.push({ id: BigInt(withdrawals.length), sats, payee });
      }
      await devnet!.line(new RegExp(`^PAUSED ${at}$`));
      await startDevnet();
      const mine = withdrawals.slice(-amounts.length).map((w) => w.id);
      const deadline = Date.now() + 120_000;
      for (;;) {
        const s = await status();
        const done = mine.every((id) => {
          const w = s.withdrawals.find((x) => x.id === id);
          return (
            w?.claim !== undefined &&
            s.claims.find((c) => c.pegInConfirmTxid === w.claim)?.step === "reimbursed"
          );
        });
        if (done) break;
        if (Date.now() > deadline) throw new Error(`not reimbursed:\n${devnet!.lines.slice(-30).join("\n")}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }),
  );

  it("after every crash: nothing stranded, each withdrawal paid once, each payout reimbursed once, balances and invariant exact", async function () {
    const backend = await l1();
    const bridge = lvmBridge(provider);
    // Every deposit credited once; its pool output is spent by the claim's Take1 (or still locked).
    const records = await depositRecords();
    expect(records).to.have.length(deposits.length);
    const credited = records.reduce((a, r) => a + r.creditedSats, 0n);
    for (const r of records) {
      expect(r.step).to.equal("credited");
      expect(
        await bridge.credited(
          "0x" + bytesToHex(Uint8Array.from(Buffer.from(r.pegInConfirmTxid, "hex")).reverse()),
        ),
      ).to.equal(true);
      expect(await backend.getTxOut({ txid: r.id, vout: 0 })).to.equal(undefined); // the deposit went into the pool
    }
    // Each withdrawal paid exactly once: one output to its script, its amount; proven on the L2.
    for (const w of withdrawals) {
      const utxos = await backend.scanUtxos(w.payee);
      expect(
        utxos.map((u) => BigInt(u.value)),
        `withdrawal #${w.id}`,
      ).to.deep.equal([w.sats]);
      expect((await bridge.payouts(w.id))[0]).to.equal(devAccounts(9)[8]!.address);
    }
    // Each payout covered by exactly one claim; each claim's Take1 on chain; no peg-in claimed twice.
    const s = await status();
    const covered = s.claims.flatMap((c) => c.covers.map(String));
    expect([...covered].sort()).to.deep.equal(withdrawals.map((w) => String(w.id)).sort());
    expect(new Set(s.claims.map((c) => c.pegInConfirmTxid)).size).to.equal(s.claims.length);
    for (const c of s.claims) {
      expect(c.step).to.equal("reimbursed");
      expect((await backend.getTxStatus(c.take1Txid))?.confirmations).to.be.greaterThan(0);
    }
    const claimed = s.claims.reduce((a, c) => a + c.poolSats, 0n);
    const withdrawn = withdrawals.reduce((a, w) => a + w.sats, 0n);
    // Invariant, exact, from the L1 UTXO set under the pool script and the L2 bridge's balance.
    const pool = Uint8Array.of(0x51, 0x20, ...Buffer.from(devnetPoolKey().slice(2), "hex"));
    const locked = (await backend.scanUtxos(pool)).reduce((a, u) => a + BigInt(u.value), 0n);
    expect(locked).to.equal(credited - claimed);
    const inv = await bridgeInvariant(backend, bridge);
    expect(inv.l1LockedSats).to.equal(locked);
    expect(inv.l2OutsideSats).to.equal(credited - withdrawn);
    expect(inv.holds).to.equal(true);
    // L2 balance of the recipient: every credit once, every withdrawal and its gas once.
    expect(await provider.getBalance(recipient.address)).to.equal(
      l2Start + (credited - withdrawn) * 10n ** 10n - gasSpent,
    );
    await backend.close();
  });
});
