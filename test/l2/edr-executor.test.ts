/** The EDR executor's block sealing, driven directly (no sequencer). */
import { expect } from "chai";
import { Wallet, keccak256 } from "ethers";

import {
  EdrExecutor,
  devAccounts,
  loadBridgeCode,
  lvmChainSpec,
  type Hash32,
  type Hex,
  type RawTx,
} from "../../ts/l2/index.js";
import { root } from "./helpers.js";

describe("l2: EdrExecutor.sealBlock", function () {
  it("includes the accepted transactions in order and reports the refused one with EDR's reason", async function () {
    const [alice] = devAccounts(1);
    const spec = lvmChainSpec({ bridgeCode: await loadBridgeCode(root), devAccounts: [alice!.address] });
    const executor = new EdrExecutor();
    await executor.start(spec);
    try {
      const sign = async (w: Wallet, nonce: number): Promise<RawTx> => {
        const raw = (await w.signTransaction({
          type: 2,
          chainId: spec.chainId,
          nonce,
          to: alice!.address,
          value: 1n,
          gasLimit: 21_000n,
          maxFeePerGas: 10n ** 9n,
          maxPriorityFeePerGas: 1n,
        })) as Hex;
        return { raw, hash: keccak256(raw) as Hash32 };
      };
      const funded = new Wallet(alice!.privateKey);
      // An account with no balance: EDR refuses it, which makes the batched submission fail and
      // exercises the one-by-one fallback.
      const broke = new Wallet(Wallet.createRandom().privateKey);
      const txs = [await sign(funded, 0), await sign(broke, 0), await sign(funded, 1)];
      const result = await executor.sealBlock(txs, spec.genesisTime + 1);
      expect(result.block.number).to.equal(1);
      expect(result.block.transactions).to.deep.equal([txs[0]!.hash, txs[2]!.hash]);
      expect(result.rejected.map((r) => r.hash)).to.deep.equal([txs[1]!.hash]);
      expect(result.rejected[0]?.reason).to.match(/enough funds/);
      expect(result.deferred).to.deep.equal([]);

      // The fast path: nothing refused, one batch.
      const next = [await sign(funded, 2), await sign(funded, 3)];
      const second = await executor.sealBlock(next, spec.genesisTime + 2);
      expect(second.block.transactions).to.deep.equal(next.map((t) => t.hash));
      expect(second.rejected).to.deep.equal([]);
    } finally {
      await executor.close();
    }
  });
});
