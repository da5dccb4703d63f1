/**
 * A small fee estimator: the fee rates of mempool transactions that confirmed in recent blocks.
 * Core's estimator tracks confirmation delays per fee bucket; this one answers "what did recently
 * confirmed transactions pay", which is what a regtest/devnet needs, and says so when it has no data.
 */
export interface FeeEstimate {
  /** sat/kvB */
  readonly feeRate: bigint;
  readonly blocks: number;
}

interface BlockFees {
  readonly height: number;
  /** sat/kvB of each tracked transaction */
  readonly rates: bigint[];
}

const HISTORY = 1008;

export class FeeEstimator {
  private blocks: BlockFees[] = [];

  /** Records the fee rates of transactions a block confirmed out of the mempool. */
  blockConnected(height: number, rates: bigint[]): void {
    this.blocks = this.blocks.filter((b) => b.height < height);
    this.blocks.push({ height, rates });
    if (this.blocks.length > HISTORY) this.blocks.shift();
  }

  blockDisconnected(height: number): void {
    this.blocks = this.blocks.filter((b) => b.height < height);
  }

  /**
   * Median rate over the last `2 × target` blocks (at least 6) for "economical", the 85th
   * percentile for "conservative"; undefined when no tracked transaction confirmed there.
   */
  estimate(target: number, mode: "economical" | "conservative"): FeeEstimate | undefined {
    const window = Math.max(6, 2 * target);
    const recent = this.blocks.slice(-window).flatMap((b) => b.rates);
    if (recent.length === 0) return undefined;
    recent.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const q = mode === "conservative" ? 0.85 : 0.5;
    return { feeRate: recent[Math.min(recent.length - 1, Math.floor(q * recent.length))], blocks: target };
  }
}
