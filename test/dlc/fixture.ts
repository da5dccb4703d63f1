/**
 * The set-up the oracle service's tests and `bench/dlc.ts` share: our regtest node (coins mined to
 * the user, the oracle and the federation), our L2 node, BtcLightClient and DlcChannels deployed
 * by the federation's dev account, a relayer, and the helpers to fund a channel and an OP-DLC
 * stake on L1.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { schnorr } from "@noble/curves/secp256k1.js";
import * as bitcoin from "bitcoinjs-lib";
import { JsonRpcProvider, Wallet } from "ethers";
import * as ecc from "tiny-secp256k1";

import { sats, txidFromHex, type Sats } from "../../ts/bitcoin/index.js";
import { winternitzPublicKey } from "../../ts/bitvm/index.js";
import { keyPathOutput, tweakedSecret, xOnlyKey } from "../../ts/bridge/index.js";
import { startRegtestNode, type BitcoinBackend, type RunningNode } from "../../ts/btcnode/index.js";
import {
  MAX_COMMITTED_AMOUNT,
  StakedOracle,
  buildFundingTx,
  fundingOutput,
  oracleWinternitzKey,
  stakeOutput,
  withdrawalIntervals,
  type DlcTx,
  type DlcUtxo,
  type StakeTerms,
} from "../../ts/dlc/index.js";
import { withdrawalEventId } from "../../ts/dlc/service.js";
import { L2Node, devAccounts, loadBridgeCode, lvmChainSpec } from "../../ts/l2/index.js";
import { EthersLightClient, Relayer } from "../../ts/relayer/index.js";
import type { BtcLightClient } from "../../types/bitcoin/BtcLightClient.js";
import type { DlcChannels } from "../../types/dlc/DlcChannels.js";
import { BtcLightClient__factory } from "../../types/factories/bitcoin/BtcLightClient__factory.js";
import { DlcChannels__factory } from "../../types/factories/dlc/DlcChannels__factory.js";

bitcoin.initEccLib(ecc);

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface DlcKeys {
  readonly userSecret: Uint8Array;
  readonly fedSecret: Uint8Array;
  readonly oracleSecret: Uint8Array;
  readonly userKey: Uint8Array;
  readonly fedKey: Uint8Array;
  readonly oracleKey: Uint8Array;
}

export const taprootScript = (k: Uint8Array): Uint8Array => keyPathOutput(xOnlyKey(k)).script;
export const regtestAddress = (s: Uint8Array): string =>
  bitcoin.address.fromOutputScript(Buffer.from(s), bitcoin.networks.regtest);
const wallet = (secret: Uint8Array) => (h: Uint8Array) => schnorr.sign(h, tweakedSecret(secret));

export class DlcWorld {
  readonly fed: Wallet;
  readonly user: Wallet;
  readonly #dirs: string[];

  private constructor(
    /** A devnet-shaped directory: the L1 node's cookie under btc/, the oracle's files beside it. */
    readonly dir: string,
    readonly l1: RunningNode,
    readonly l2: L2Node,
    readonly provider: JsonRpcProvider,
    readonly keys: DlcKeys,
    dirs: string[],
  ) {
    const [, , , fedAcct, userAcct] = devAccounts();
    this.fed = new Wallet(fedAcct!.privateKey, provider);
    this.user = new Wallet(userAcct!.privateKey, provider);
    this.#dirs = dirs;
  }

  get backend(): BitcoinBackend {
    return this.l1.backend;
  }

  /** Starts both nodes; one mature coinbase for each of the user, the oracle and the federation. */
  static async start(opts: { keys: DlcKeys; blockTimeMs: number; batchBlocks: number }): Promise<DlcWorld> {
    const dir = mkdtempSync(path.join(os.tmpdir(), "dlc-world-"));
    const l2dir = mkdtempSync(path.join(os.tmpdir(), "dlc-world-l2-"));
    const l1 = await startRegtestNode({ datadir: path.join(dir, "btc"), rpcPort: 0, sync: false });
    const { keys } = opts;
    await l1.backend.mine(1, regtestAddress(taprootScript(keys.userKey)));
    await l1.backend.mine(1, regtestAddress(taprootScript(keys.oracleKey)));
    await l1.backend.mine(101, regtestAddress(taprootScript(keys.fedKey)));
    const l2 = await L2Node.start({
      port: 0,
      blockTimeMs: opts.blockTimeMs,
      batchBlocks: opts.batchBlocks,
      datadir: l2dir,
      spec: lvmChainSpec({
        bridgeCode: await loadBridgeCode(ROOT),
        devAccounts: devAccounts().map((a) => a.address),
      }),
    });
    const provider = new JsonRpcProvider(l2.url, undefined, {
      staticNetwork: true,
      pollingInterval: 50,
      cacheTimeout: -1,
    });
    return new DlcWorld(dir, l1, l2, provider, keys, [dir, l2dir]);
  }

  async close(): Promise<void> {
    this.provider.destroy();
    await this.l2.stop();
    await this.l1.stop();
    for (const d of this.#dirs) rmSync(d, { recursive: true, force: true });
  }

  /** BtcLightClient at the regtest genesis and DlcChannels (depth 1), both by the federation. */
  async deploy(): Promise<{ lc: BtcLightClient; dlc: DlcChannels; relayer: (pollMs?: number) => Relayer }> {
    const genesis = (await this.backend.getBlockHeader(await this.backend.getBlockHash(0))).encode();
    const lc = await new BtcLightClient__factory(this.fed).deploy(genesis, 0, 0x7fffffn << 232n, false);
    await lc.waitForDeployment();
    const dlc = await new DlcChannels__factory(this.fed).deploy(await lc.getAddress(), 1, this.fed.address);
    await dlc.waitForDeployment();
    const address = await lc.getAddress();
    const relayer = (pollMs?: number) =>
      new Relayer({
        source: this.backend,
        client: new EthersLightClient(address, this.fed),
        batchSize: 500,
        ...(pollMs === undefined ? {} : { pollMs }),
      });
    return { lc, dlc, relayer };
  }

  /** The oldest coinbase paying `script`. */
  async coin(script: Uint8Array): Promise<DlcUtxo> {
    const u = (await this.backend.scanUtxos(script))
      .filter((x) => x.coinbase)
      .sort((a, b) => a.height - b.height)[0]!;
    return {
      txid: txidFromHex(u.outpoint.txid),
      vout: u.outpoint.vout,
      amount: sats(u.value),
      script: u.scriptPubKey,
    };
  }

  /** Broadcasts `tx` and mines it (to the federation). */
  async mined(tx: DlcTx): Promise<void> {
    await this.backend.sendTransaction(tx.toTransaction());
    await this.mine(1);
  }

  async mine(n: number): Promise<void> {
    await this.backend.mine(n, regtestAddress(taprootScript(this.keys.fedKey)));
  }

  /** The user's and the federation's funding transaction of a channel. */
  async fund(userCollateral: Sats, federationCollateral: Sats): Promise<DlcTx> {
    const { userKey, fedKey, userSecret, fedSecret } = this.keys;
    return buildFundingTx(
      [
        {
          coins: [{ utxo: await this.coin(taprootScript(userKey)), sign: wallet(userSecret) }],
          collateral: userCollateral,
          changeScript: taprootScript(userKey),
        },
        {
          coins: [{ utxo: await this.coin(taprootScript(fedKey)), sign: wallet(fedSecret) }],
          collateral: federationCollateral,
          changeScript: taprootScript(fedKey),
        },
      ],
      fundingOutput({ userKey, federationKey: fedKey }).script,
      2n,
    );
  }

  /** The oracle's OP-DLC stake for channel `id`'s withdrawal of `w` (0.2 BTC, 2-block window), mined. */
  async stake(id: string, w: bigint, userCollateral: Sats): Promise<StakedOracle> {
    const { userKey, fedKey, oracleKey, oracleSecret } = this.keys;
    const wots = oracleWinternitzKey(oracleSecret, withdrawalEventId(id));
    const stakeTerms: StakeTerms = {
      userKey,
      federationKey: fedKey,
      oracleKey,
      winternitz: winternitzPublicKey(wots),
      requested: w,
      intervals: withdrawalIntervals(w, MAX_COMMITTED_AMOUNT, userCollateral),
      window: 2,
      reclaim: 50,
      timelockValue: sats(1_000n),
      feeRate: 2n,
      returnScript: taprootScript(oracleKey),
    };
    const stakeTx = buildFundingTx(
      [
        {
          coins: [{ utxo: await this.coin(taprootScript(oracleKey)), sign: wallet(oracleSecret) }],
          collateral: sats(20_000_000n),
          changeScript: taprootScript(oracleKey),
        },
      ],
      stakeOutput(stakeTerms).script,
      2n,
    );
    await this.mined(stakeTx);
    return new StakedOracle(stakeTerms, stakeTx.utxo(0));
  }
}

/** Keys from a seed byte each (bench: fixed; tests: random). */
export function dlcKeys(secrets: [Uint8Array, Uint8Array, Uint8Array]): DlcKeys {
  const [userSecret, fedSecret, oracleSecret] = secrets;
  return {
    userSecret,
    fedSecret,
    oracleSecret,
    userKey: schnorr.getPublicKey(userSecret),
    fedKey: schnorr.getPublicKey(fedSecret),
    oracleKey: schnorr.getPublicKey(oracleSecret),
  };
}
