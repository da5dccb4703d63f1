import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import { expect } from "chai";
import { Transaction, Wallet, getBytes, hexlify } from "ethers";
import { recover as wasmRecover } from "tiny-secp256k1";

import { LVM_DEVNET_CHAIN_ID, decodeTransaction } from "../../ts/l2/index.js";
import { recoverPublicKey, recoveryBackend } from "../../ts/l2/recovery.js";

const ctx = { chainId: LVM_DEVNET_CHAIN_ID, blockGasLimit: 30_000_000n, baseFee: 1n, minTip: 0n };

describe("l2: transaction decoding and sender recovery", function () {
  it("recovers the signers of legacy and EIP-1559 transfers", async function () {
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
    raws.forEach((raw, i) => {
      const tx = decodeTransaction(raw, ctx);
      expect(tx.from).to.equal(wallets[i % 8]!.address.toLowerCase());
      expect(tx.hash).to.equal(Transaction.from(raw).hash);
    });
  });

  it("recovers with the native libsecp256k1 where it is prebuilt, agreeing with the WASM build", function () {
    const prebuilt = path.join(
      path.dirname(createRequire(import.meta.url).resolve("secp256k1/package.json")),
      "prebuilds",
      `${process.platform}-${process.arch}`,
    );
    if (existsSync(prebuilt)) expect(recoveryBackend).to.equal("native");
    const wallet = Wallet.createRandom();
    for (let i = 0; i < 16; i++) {
      const hash = getBytes(Transaction.from({ chainId: 1n, nonce: i, gasLimit: 21_000n }).unsignedHash);
      const sig = wallet.signingKey.sign(hash);
      const rs = getBytes(sig.r + sig.s.slice(2));
      const ours = recoverPublicKey(hash, rs, sig.yParity);
      expect(hexlify(ours!)).to.equal(hexlify(wasmRecover(hash, rs, sig.yParity, false)!));
      expect(hexlify(ours!)).to.equal(wallet.signingKey.publicKey);
    }
    expect(recoverPublicKey(new Uint8Array(32), new Uint8Array(64), 0)).to.equal(null);
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
    const moved = decodeTransaction(other.serialized, ctx);
    expect(moved.from).to.not.equal(w.address.toLowerCase());
    // r = 0 is no signature at all: libsecp256k1 recovers nothing.
    const broken = tx.clone();
    broken.signature = { r: "0x" + "00".repeat(32), s: tx.signature!.s, v: tx.signature!.v };
    try {
      decodeTransaction(broken.serialized, ctx);
      expect.fail("an all-zero r was accepted");
    } catch (e) {
      expect((e as { code?: string }).code).to.equal("INVALID_SIGNATURE");
    }
  });
});
