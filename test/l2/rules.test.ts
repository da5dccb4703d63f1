/**
 * The fee and admission rules of the sequencer and its pool, each pinned by figures worked out by
 * hand from the specifications (EIP-1559, EIP-7623, geth's 10 % price bump and balance check), at
 * and one unit either side of every boundary, so that changing a constant or a comparison fails.
 */
import { expect } from "chai";
import { Wallet } from "ethers";

import {
  L2Error,
  LVM_DEVNET_CHAIN_ID,
  TxPool,
  decodeTransaction,
  devAccounts,
  intrinsicGas,
  nextBaseFee,
  wei,
  type AccountState,
  type Address,
  type BlockHeader,
  type Hash32,
  type PoolTx,
} from "../../ts/l2/index.js";

const GWEI = 10n ** 9n;
const acct = (nonce: number, balance: bigint): AccountState => ({ nonce, balance: wei(balance) });

function header(gasLimit: bigint, gasUsed: bigint, baseFeePerGas: bigint): BlockHeader {
  const zero = `0x${"00".repeat(32)}` as Hash32;
  return {
    number: 1,
    hash: zero,
    stateRoot: zero,
    timestamp: 0,
    gasUsed,
    gasLimit,
    baseFeePerGas,
    transactions: [],
  };
}

/** The L2Error code `f` throws, or "OK". */
function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (!(e instanceof L2Error)) throw e;
    return e.code;
  }
  return "OK";
}

describe("l2 rules: EIP-1559 base fee of the next block (elasticity 2, change denominator 8)", () => {
  const limit = 30_000_000n; // target 15,000,000

  it("stays at the target, rises 12.5 % on a full block and falls 12.5 % on an empty one", () => {
    expect(nextBaseFee(header(limit, 15_000_000n, GWEI))).to.equal(GWEI);
    expect(nextBaseFee(header(limit, 30_000_000n, GWEI))).to.equal(1_125_000_000n);
    expect(nextBaseFee(header(limit, 0n, GWEI))).to.equal(875_000_000n);
  });

  it("moves in proportion to the distance from the target, rounding toward the parent's fee", () => {
    // 1e9 · 5e6 / 15e6 = 333,333,333 (floor), / 8 = 41,666,666
    expect(nextBaseFee(header(limit, 20_000_000n, GWEI))).to.equal(1_041_666_666n);
    expect(nextBaseFee(header(limit, 10_000_000n, GWEI))).to.equal(958_333_334n);
    // an odd gas limit: the target is floor(limit / 2)
    expect(nextBaseFee(header(30_000_001n, 15_000_000n, GWEI))).to.equal(GWEI);
  });

  it("rises by at least 1 wei above the target, and may stay put just below it", () => {
    expect(nextBaseFee(header(limit, 15_000_001n, 7n))).to.equal(8n);
    expect(nextBaseFee(header(limit, 14_999_999n, 7n))).to.equal(7n);
    expect(nextBaseFee(header(limit, 0n, 8n))).to.equal(7n);
    expect(nextBaseFee(header(limit, 0n, 7n))).to.equal(7n); // 7 · 1 / 8 = 0
  });
});

describe("l2 rules: intrinsic gas with the EIP-7623 calldata floor (Prague)", () => {
  const to = new Uint8Array(20);
  const gas = (data: Uint8Array, create = false, accessListKeys: number[] = []) =>
    intrinsicGas({ data, to: create ? null : to, accessListKeys });

  it("charges the floor, 21,000 + 10 per token (zero byte 1, other byte 4 tokens), when above the standard cost", () => {
    expect(gas(new Uint8Array(0))).to.equal(21_000n);
    // 100 non-zero bytes: standard 21,000 + 1,600 = 22,600; floor 21,000 + 10 · 400 = 25,000
    expect(gas(new Uint8Array(100).fill(1))).to.equal(25_000n);
    // 100 zero bytes: standard 21,400; floor 22,000
    expect(gas(new Uint8Array(100))).to.equal(22_000n);
    // 1 non-zero byte: standard 21,016; floor 21,040
    expect(gas(Uint8Array.of(0xff))).to.equal(21_040n);
  });

  it("keeps the standard cost when it is higher (creation, access lists)", () => {
    // creation, 100 non-zero bytes: 21,000 + 1,600 + 32,000 + 2 · 4 words = 54,608 > 25,000
    expect(gas(new Uint8Array(100).fill(1), true)).to.equal(54_608n);
    // one address with two storage keys: 2,400 + 2 · 1,900
    expect(gas(new Uint8Array(0), false, [2])).to.equal(27_200n);
    // 10 non-zero bytes and an access list: standard 21,160 + 2,400 = 23,560 > floor 21,400
    expect(gas(new Uint8Array(10).fill(1), false, [0])).to.equal(23_560n);
    // creation, 100 zero bytes: 21,000 + 400 + 32,000 + 2 · 4 words = 53,408 > 22,000
    expect(gas(new Uint8Array(100), true)).to.equal(53_408n);
    // creation of 33 bytes rounds up to two words: 21,000 + 33 · 16 + 32,000 + 2 · 2
    expect(gas(new Uint8Array(33).fill(7), true)).to.equal(53_532n);
  });

  it("refuses a signed transaction whose gas limit is one below the floor", async () => {
    const w = new Wallet(devAccounts(1)[0]!.privateKey);
    const ctx = { chainId: LVM_DEVNET_CHAIN_ID, blockGasLimit: 30_000_000n, baseFee: GWEI, minTip: 0n };
    const sign = (gasLimit: bigint) =>
      w.signTransaction({
        type: 2,
        chainId: LVM_DEVNET_CHAIN_ID,
        nonce: 0,
        to: w.address,
        data: "0x" + "01".repeat(100),
        gasLimit,
        maxFeePerGas: GWEI,
        maxPriorityFeePerGas: 0n,
      });
    const ok = await sign(25_000n);
    const low = await sign(24_999n);
    expect(decodeTransaction(ok, ctx).gasLimit).to.equal(25_000n);
    expect(code(() => decodeTransaction(low, ctx))).to.equal("INTRINSIC_GAS_TOO_LOW");
  });

  it("refuses a fee cap one wei below the next block's base fee", async () => {
    const w = new Wallet(devAccounts(1)[0]!.privateKey);
    const ctx = { chainId: LVM_DEVNET_CHAIN_ID, blockGasLimit: 30_000_000n, baseFee: GWEI, minTip: 0n };
    const sign = (maxFeePerGas: bigint) =>
      w.signTransaction({
        type: 2,
        chainId: LVM_DEVNET_CHAIN_ID,
        nonce: 0,
        to: w.address,
        gasLimit: 21_000n,
        maxFeePerGas,
        maxPriorityFeePerGas: 0n,
      });
    expect(code(() => decodeTransaction("", ctx))).to.equal("INVALID_PARAMS");
    expect(decodeTransaction(await sign(GWEI), ctx).maxFeePerGas).to.equal(GWEI);
    const under = await sign(GWEI - 1n);
    expect(code(() => decodeTransaction(under, ctx))).to.equal("FEE_CAP_BELOW_BASE_FEE");
  });
});

describe("l2 rules: what decodeTransaction refuses before looking at state (geth's checks)", () => {
  const w = new Wallet(devAccounts(1)[0]!.privateKey);
  const ctx = { chainId: LVM_DEVNET_CHAIN_ID, blockGasLimit: 30_000_000n, baseFee: GWEI, minTip: 1n };
  const base = {
    type: 2,
    chainId: LVM_DEVNET_CHAIN_ID,
    nonce: 0,
    to: w.address,
    value: 5n,
    gasLimit: 21_000n,
    maxFeePerGas: 2n * GWEI,
    maxPriorityFeePerGas: 1n,
  };

  it("accepts a well-formed transfer and computes its cost as gas · fee cap + value", async () => {
    const tx = decodeTransaction(await w.signTransaction(base), ctx);
    expect(tx.from).to.equal(w.address.toLowerCase());
    expect(tx.cost).to.equal(21_000n * 2n * GWEI + 5n);
    expect(tx.nonce).to.equal(0);
  });

  it("refuses each broken rule with its code", async () => {
    const sign = (over: Record<string, unknown>) => w.signTransaction({ ...base, ...over });
    expect(code(() => decodeTransaction("00", ctx))).to.equal("INVALID_PARAMS");
    expect(code(() => decodeTransaction("0x0", ctx))).to.equal("INVALID_PARAMS");
    expect(code(() => decodeTransaction("x0x00", ctx))).to.equal("INVALID_PARAMS");
    expect(code(() => decodeTransaction(`0x${"00".repeat(128 * 1024 + 1)}`, ctx))).to.equal("OVERSIZED");
    expect(code(() => decodeTransaction(`0x${"00".repeat(128 * 1024)}`, ctx))).to.not.equal("OVERSIZED");
    // (tip above fee cap: ethers refuses to sign one; test/l2/rawtx.test.ts decodes such bytes)
    const tipIsCap = await sign({ maxFeePerGas: GWEI, maxPriorityFeePerGas: GWEI });
    expect(code(() => decodeTransaction(tipIsCap, ctx))).to.equal("OK");
    const noTip = await sign({ maxPriorityFeePerGas: 0n });
    expect(code(() => decodeTransaction(noTip, ctx))).to.equal("UNDERPRICED");
    const tooMuchGas = await sign({ gasLimit: 30_000_001n });
    expect(code(() => decodeTransaction(tooMuchGas, ctx))).to.equal("GAS_LIMIT_EXCEEDED");
    const allGas = await sign({ gasLimit: 30_000_000n });
    expect(code(() => decodeTransaction(allGas, ctx))).to.equal("OK");
    const otherChain = await sign({ chainId: LVM_DEVNET_CHAIN_ID + 1n });
    expect(code(() => decodeTransaction(otherChain, ctx))).to.equal("WRONG_CHAIN_ID");
    const hugeNonce = await sign({ nonce: Number.MAX_SAFE_INTEGER });
    expect(code(() => decodeTransaction(hugeNonce, ctx))).to.equal("OK");
    const unprotected = await w.signTransaction({
      type: 0,
      chainId: 0n,
      nonce: 0,
      to: w.address,
      gasLimit: 21_000n,
      gasPrice: 2n * GWEI,
    });
    expect(code(() => decodeTransaction(unprotected, ctx))).to.equal("UNPROTECTED_TX");
    const legacy = await sign({
      type: 0,
      gasPrice: 2n * GWEI,
      maxFeePerGas: undefined,
      maxPriorityFeePerGas: undefined,
    });
    expect(decodeTransaction(legacy, ctx).maxFeePerGas).to.equal(2n * GWEI);
  });
});

describe("l2 rules: the pool's replacement price bump (10 %) and balance check", () => {
  const from = `0x${"aa".repeat(20)}` as Address;
  let n = 0;
  /** A decoded transaction as the pool sees it (no signature needed at this layer). */
  function ptx(nonce: number, maxFeePerGas: bigint, maxPriorityFeePerGas: bigint, value = 0n): PoolTx {
    const gasLimit = 21_000n;
    const hash = `0x${(++n).toString(16).padStart(64, "0")}` as Hash32;
    return {
      hash,
      raw: "0x00",
      from,
      nonce,
      gasLimit,
      maxFeePerGas,
      maxPriorityFeePerGas,
      value,
      cost: gasLimit * maxFeePerGas + value,
    };
  }
  const rich = acct(0, 10n ** 24n);

  it("replaces only when both fee fields rise by at least 10 %", () => {
    const pool = new TxPool();
    const first = ptx(0, 1_000n, 100n);
    pool.add(first, rich);
    expect(code(() => pool.add(ptx(0, 1_099n, 110n), rich))).to.equal("REPLACEMENT_UNDERPRICED");
    expect(code(() => pool.add(ptx(0, 1_100n, 109n), rich))).to.equal("REPLACEMENT_UNDERPRICED");
    expect(code(() => pool.add(ptx(0, 5_000n, 100n), rich))).to.equal("REPLACEMENT_UNDERPRICED");
    expect(pool.size).to.equal(1);
    const second = ptx(0, 1_100n, 110n);
    expect(pool.add(second, rich)).to.equal(first);
    expect(pool.get(first.hash)).to.equal(undefined);
    expect(pool.get(second.hash)).to.equal(second);
    expect(pool.size).to.equal(1);
    // 10 % of 1,100 is 110: 1,209 is short by one
    expect(code(() => pool.add(ptx(0, 1_209n, 121n), rich))).to.equal("REPLACEMENT_UNDERPRICED");
    expect(pool.add(ptx(0, 1_210n, 121n), rich)).to.equal(second);
  });

  it("admits a sender's transactions while their summed cost (gas · fee cap + value) fits the balance", () => {
    const pool = new TxPool();
    const a = ptx(0, 1_000n, 0n, 5n); // cost 21,000,005
    const b = ptx(1, 1_000n, 0n, 7n); // cost 21,000,007
    const balance = a.cost + b.cost;
    pool.add(a, acct(0, balance));
    expect(code(() => pool.add(b, acct(0, balance - 1n)))).to.equal("INSUFFICIENT_FUNDS");
    expect(pool.size).to.equal(1);
    pool.add(b, acct(0, balance));
    expect(pool.size).to.equal(2);
    // A replacement counts instead of the transaction it replaces, not on top of it.
    const a2 = ptx(0, 1_100n, 0n, 5n); // cost 23,100,005
    expect(code(() => pool.add(a2, acct(0, a2.cost + b.cost - 1n)))).to.equal("INSUFFICIENT_FUNDS");
    expect(pool.add(a2, acct(0, a2.cost + b.cost))).to.equal(a);
  });

  it("refuses a transaction it already holds; counts pooled gas and next nonces; prunes mined nonces", () => {
    const pool = new TxPool();
    const t0 = ptx(0, 1_000n, 0n);
    const t1 = ptx(1, 1_000n, 0n);
    const t3 = ptx(3, 1_000n, 0n);
    pool.add(t0, rich);
    expect(code(() => pool.add(t0, rich))).to.equal("ALREADY_KNOWN");
    pool.add(t1, rich);
    pool.add(t3, rich);
    expect(pool.size).to.equal(3);
    expect(pool.gas).to.equal(63_000n);
    expect(pool.nextNonce(from, 0)).to.equal(2); // 0 and 1 pooled, 2 missing
    expect(pool.nextNonce(from.toUpperCase().replace("0X", "0x") as Address, 0)).to.equal(2);
    expect(pool.nextNonce(from, 3)).to.equal(4);
    pool.prune(from, 1); // drops nonce 0 only: 1 is the next one the state expects
    expect(pool.size).to.equal(2);
    expect(pool.get(t1.hash)).to.equal(t1);
    expect(pool.nextNonce(from, 1)).to.equal(2);
    pool.prune(`0x${"bb".repeat(20)}` as Address, 9); // another sender: nothing to do
    expect(pool.size).to.equal(2);
    pool.prune(from, 2);
    expect(pool.size).to.equal(1);
    expect(pool.gas).to.equal(21_000n);
    expect(pool.get(t0.hash)).to.equal(undefined);
    expect(pool.get(t3.hash)).to.equal(t3);
    pool.remove(t3.hash);
    pool.remove(t3.hash); // twice: a no-op
    expect(pool.size).to.equal(0);
    expect(pool.gas).to.equal(0n);
    // A sender with nothing pooled starts again from its state nonce, with nothing left counted.
    pool.add(ptx(5, 1_000n, 0n), acct(5, 21_000n * 1_000n));
    expect(pool.nextNonce(from, 5)).to.equal(6);
  });

  it("refuses a stale nonce and a nonce past the 64-transaction gap", () => {
    const pool = new TxPool();
    expect(code(() => pool.add(ptx(4, 1_000n, 0n), acct(5, 10n ** 24n)))).to.equal("NONCE_TOO_LOW");
    expect(code(() => pool.add(ptx(5 + 65, 1_000n, 0n), acct(5, 10n ** 24n)))).to.equal("NONCE_TOO_HIGH");
    pool.add(ptx(5 + 64, 1_000n, 0n), acct(5, 10n ** 24n));
    expect(pool.nextNonce(from, 5)).to.equal(5);
  });
});
