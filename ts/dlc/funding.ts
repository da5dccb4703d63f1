/**
 * The funding transaction: each party contributes wallet coins (P2TR key path, BIP86) worth its
 * collateral plus half the fee and takes its change back; output 0 is the channel's 2-of-2.
 */
import { sats, type Sats } from "../bitcoin/index.js";
import { dustLimit } from "../bridge/index.js";
import { DlcError } from "./errors.js";
import { DlcTx, withFee, type DlcUtxo } from "./tx.js";

export interface WalletCoin {
  readonly utxo: DlcUtxo;
  /** BIP340 key-path signature of a BIP341 sighash (the wallet applies its own tweak). */
  readonly sign: (sighash: Uint8Array) => Uint8Array;
}

export interface FundingPart {
  readonly coins: readonly WalletCoin[];
  readonly collateral: Sats;
  readonly changeScript: Uint8Array;
}

/** Builds and signs the funding transaction; output 0 pays `fundingScript` the sum of the collaterals. */
export function buildFundingTx(
  parts: readonly FundingPart[],
  fundingScript: Uint8Array,
  feeRate: bigint,
): DlcTx {
  const coins = parts.flatMap((p) => p.coins);
  const total = parts.reduce((a, p) => a + p.collateral, 0n);
  const tx = withFee(
    (fee) => {
      const t = new DlcTx("Funding");
      for (const c of coins) t.addInput(c.utxo);
      t.addOutput(fundingScript, total);
      const share = (fee + BigInt(parts.length) - 1n) / BigInt(parts.length);
      parts.forEach((p, i) => {
        const input = p.coins.reduce((a, c) => a + c.utxo.amount, 0n);
        const change = input - p.collateral - share;
        if (change < 0n)
          throw new DlcError("BAD_AMOUNT", `funding party ${i} does not cover its collateral and fee share`, {
            value: input,
            details: { collateral: p.collateral, fee: share },
          });
        if (change >= dustLimit(p.changeScript)) t.addOutput(p.changeScript, change);
      });
      return t;
    },
    coins.map(() => [64]),
    feeRate,
  );
  coins.forEach((c, i) => tx.setWitness(i, [c.sign(tx.sighash(i))]));
  return tx;
}

export const fundingAmount = (parts: readonly FundingPart[]): Sats =>
  sats(parts.reduce((a, p) => a + p.collateral, 0n));
