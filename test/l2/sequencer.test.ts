/** The sequencer driven directly: block order, and admissions the executor refuses. */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Wallet, keccak256 } from "ethers";

import {
  DurableLog,
  EdrExecutor,
  L2Error,
  L2Node,
  LVM_DEVNET_CHAIN_ID,
  devAccounts,
  loadBridgeCode,
  lvmChainSpec,
  type Address,
  type Hash32,
  type RawTx,
} from "../../ts/l2/index.js";
import { root, startTestNode } from "./helpers.js";

/** The real EDR executor, refusing the transactions a test names (as a stricter node would). */
class RefusingExecutor extends EdrExecutor {
  readonly refuse = new Set<string>();
  override submit(tx: RawTx): Promise<void> {
    if (this.refuse.has(tx.hash))
      return Promise.reject(new L2Error("EXECUTOR", "refused for the test", tx.hash));
    return super.submit(tx);
  }
}

const transfer = (w: Wallet, nonce: number, tip: bigint, to: string, feeCap = 10n ** 9n) =>
  w.signTransaction({
    type: 2,
    chainId: LVM_DEVNET_CHAIN_ID,
    nonce,
    to,
    value: 1n,
    gasLimit: 21_000n,
    maxFeePerGas: feeCap,
    maxPriorityFeePerGas: tip,
  });

describe("l2: Sequencer", function () {
  const [alice, bob, carol, dave, erin] = devAccounts(5).map((a) => new Wallet(a.privateKey));

  it("orders a block by tip among each sender's next nonce, arrival order among equals", async function () {
    // No interval blocks: only produceBlock seals, so every transaction lands in one block.
    const datadir = await mkdtemp(path.join(os.tmpdir(), "lvm-seq-"));
    const spec = lvmChainSpec({
      bridgeCode: await loadBridgeCode(root),
      devAccounts: devAccounts().map((a) => a.address),
    });
    const node = await L2Node.start({ datadir, spec, port: 0, blockTimeMs: 3_600_000 });
    try {
      const seq = node.sequencer;
      const to = erin!.address;
      const sent: Record<string, Hash32> = {};
      // Arrival order differs from block order on purpose.
      sent.aliceNext = await seq.submit(await transfer(alice!, 1, 500n, to)); // gapped until alice's 0
      sent.carolLow = await seq.submit(await transfer(carol!, 0, 100n, to));
      sent.daveLow = await seq.submit(await transfer(dave!, 0, 100n, to)); // ties carol: after her
      sent.alice = await seq.submit(await transfer(alice!, 0, 200n, to));
      sent.bob = await seq.submit(await transfer(bob!, 0, 1_000n, to));
      const block = await seq.produceBlock();
      // bob pays most; alice's 0 next, which unlocks her 1 at 500, ahead of carol and dave.
      expect(block?.transactions).to.deep.equal([
        sent.bob,
        sent.alice,
        sent.aliceNext,
        sent.carolLow,
        sent.daveLow,
      ]);
      expect(seq.pool.size).to.equal(0);

      // A restart replays the block into a fresh EDR from the log: the pool's rule must pick the
      // same order from the block's transactions alone, or the hash and state root would differ.
      const sealed = seq.head;
      await node.stop();
      const again = await L2Node.start({ datadir, spec, port: 0, blockTimeMs: 3_600_000 });
      try {
        expect(again.sequencer.head.hash).to.equal(sealed.hash);
        expect(again.sequencer.head.stateRoot).to.equal(sealed.stateRoot);
      } finally {
        await again.stop();
      }
    } finally {
      await rm(datadir, { recursive: true, force: true });
    }
  });

  it("holds a transaction behind a nonce gap until the gap is filled", async function () {
    const { node, cleanup } = await startTestNode({ blockTimeMs: 3_600_000 });
    try {
      const seq = node.sequencer;
      const later = await seq.submit(await transfer(alice!, 2, 1_000n, bob!.address));
      expect((await seq.produceBlock({ allowEmpty: true }))?.transactions).to.deep.equal([]);
      expect(seq.pool.get(later)).to.not.equal(undefined);
      expect(await seq.pendingNonce(alice!.address as Address)).to.equal(0);
      const first = await seq.submit(await transfer(alice!, 0, 1n, bob!.address));
      const second = await seq.submit(await transfer(alice!, 1, 1n, bob!.address));
      expect((await seq.produceBlock())?.transactions).to.deep.equal([first, second, later]);
    } finally {
      await cleanup();
    }
  });

  it("an executor refusal answers the client and undoes the admission, a replacement's too", async function () {
    const executor = new RefusingExecutor();
    const { node, datadir } = await startTestNode({ blockTimeMs: 3_600_000, executor });
    let stopped = false;
    try {
      const seq = node.sequencer;
      const original = await seq.submit(await transfer(alice!, 0, 10n, bob!.address));
      // A valid replacement (both fees raised past the bump) that the executor will not take.
      const replacementRaw = await transfer(alice!, 0, 100n, carol!.address, 2n * 10n ** 9n);
      const refused = await transfer(bob!, 0, 10n, carol!.address);
      for (const raw of [replacementRaw, refused]) {
        const hash = keccak256(raw);
        executor.refuse.add(hash);
        try {
          await seq.submit(raw);
          expect.fail("the executor's refusal was not reported");
        } catch (e) {
          expect(e).to.be.instanceOf(L2Error);
          expect((e as L2Error).message).to.equal("refused for the test");
        }
        expect(seq.pool.get(hash as Hash32)).to.equal(undefined);
      }
      // The original stays pooled (the executor still holds it) and is what the block includes.
      expect(seq.pool.get(original)).to.not.equal(undefined);
      expect(await seq.pendingNonce(alice!.address as Address)).to.equal(1);
      expect(await seq.pendingNonce(bob!.address as Address)).to.equal(0);
      expect((await seq.produceBlock())?.transactions).to.deep.equal([original]);
      await node.stop();
      stopped = true;
      // Nothing refused stays in the durable log: only the original was accepted.
      const log = await DurableLog.open(path.join(datadir, "log"));
      const logged: string[] = [];
      for await (const raw of log.transactions()) logged.push(keccak256(raw));
      await log.close();
      expect(logged).to.deep.equal([original]);
    } finally {
      if (!stopped) await node.stop();
      await rm(datadir, { recursive: true, force: true });
    }
  });
});
