import { expect } from "chai";
import { Transaction, Wallet } from "ethers";

import { LVM_DEVNET_CHAIN_ID, decodeTransaction } from "../../ts/l2/index.js";
import { SignatureRecovery } from "../../ts/l2/recovery.js";
import { decodeTransactionOffThread } from "../../ts/l2/txpool.js";

const ctx = { chainId: LVM_DEVNET_CHAIN_ID, blockGasLimit: 30_000_000n, baseFee: 1n, minTip: 0n };

describe("l2: sender recovery on a worker thread", function () {
  let recovery: SignatureRecovery;
  before(() => (recovery = new SignatureRecovery()));
  after(() => recovery.close());

  it("recovers the same senders as the main-thread path, for a concurrent burst", async function () {
    const wallets = Array.from({ length: 8 }, () => Wallet.createRandom());
    const raws = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        wallets[i % 8]!.signTransaction({
          type: i % 3 === 0 ? 0 : 2,
          chainId: LVM_DEVNET_CHAIN_ID,
          nonce: i,
          to: wallets[(i + 1) % 8]!.address,
          value: BigInt(i),
          gasLimit: 21_000n,
          ...(i % 3 === 0 ? { gasPrice: 10n ** 9n } : { maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 1n }),
        }),
      ),
    );
    const off = await Promise.all(raws.map((r) => decodeTransactionOffThread(r, ctx, recovery)));
    off.forEach((tx, i) => {
      expect(tx.from).to.equal(wallets[i % 8]!.address);
      expect(tx.from).to.equal(decodeTransaction(raws[i]!, ctx).from);
    });
  });

  it("a signature over other bytes recovers another sender; a malformed one is refused", async function () {
    const w = Wallet.createRandom();
    const raw = await w.signTransaction({
      type: 2,
      chainId: LVM_DEVNET_CHAIN_ID,
      nonce: 0,
      to: w.address,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 9n,
      maxPriorityFeePerGas: 1n,
    });
    const tx = Transaction.from(raw);
    const other = tx.clone();
    other.nonce = 1; // same signature, different message
    const moved = await decodeTransactionOffThread(other.serialized, ctx, recovery);
    expect(moved.from).to.not.equal(w.address);
    // r = 0 is no signature at all: libsecp256k1 recovers nothing.
    const broken = tx.clone();
    broken.signature = { r: "0x" + "00".repeat(32), s: tx.signature!.s, v: tx.signature!.v };
    try {
      await decodeTransactionOffThread(broken.serialized, ctx, recovery);
      expect.fail("an all-zero r was accepted");
    } catch (e) {
      expect((e as { code?: string }).code).to.equal("INVALID_SIGNATURE");
    }
  });
});
