/**
 * Chain parameters as a plain config object: the node is the same code for every network; only
 * these numbers differ (genesis, proof-of-work limit, soft-fork heights, address prefixes).
 */
import { networks, type Network } from "bitcoinjs-lib";

import { Block, bitsToTarget, type BlockHash } from "../bitcoin/index.js";
import { NodeInputError } from "./errors.js";

/** Chain name as Bitcoin Core reports it in `getblockchaininfo.chain`. */
export type ChainName = "main" | "regtest";

export interface ChainParams {
  readonly name: ChainName;
  /** Serialized genesis block (hex); its hash is checked against `genesisHash` on first use. */
  readonly genesisHex: string;
  readonly genesisHash: BlockHash;
  /** Compact encoding of the easiest allowed target. */
  readonly powLimitBits: number;
  /** Testnet/regtest rule: a block more than 2 × spacing after its parent may use `powLimitBits`. */
  readonly powAllowMinDifficultyBlocks: boolean;
  /** Regtest never retargets. */
  readonly powNoRetargeting: boolean;
  readonly powTargetSpacing: number;
  readonly powTargetTimespan: number;
  readonly subsidyHalvingInterval: number;
  readonly coinbaseMaturity: number;
  /** Heights from which each buried soft fork is enforced. */
  readonly bip34Height: number;
  readonly bip65Height: number;
  readonly bip66Height: number;
  readonly csvHeight: number;
  readonly segwitHeight: number;
  /** Blocks validated with fewer script flags than their height implies (Core's exceptions). */
  readonly scriptFlagExceptions: ReadonlyMap<string, readonly string[]>;
  /** bitcoinjs-lib network (address prefixes). */
  readonly network: Network;
  readonly defaultRpcPort: number;
}

const SATOSHI_TIMES =
  "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73";
const SATOSHI_KEY =
  "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f";
// The genesis coinbase: one input with the Times headline, one 50 BTC output to Satoshi's key.
const GENESIS_TX =
  "01000000" +
  "01" +
  "00".repeat(32) +
  "ffffffff" +
  "4d" +
  SATOSHI_TIMES +
  "ffffffff" +
  "01" +
  "00f2052a01000000" +
  "43" +
  "41" +
  SATOSHI_KEY +
  "ac" +
  "00000000";
const GENESIS_MERKLE = "3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a";

function le32(n: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b.toString("hex");
}

function genesisHex(time: number, bits: number, nonce: number): string {
  return (
    "01000000" + "00".repeat(32) + GENESIS_MERKLE + le32(time) + le32(bits) + le32(nonce) + "01" + GENESIS_TX
  );
}

export const MAINNET: ChainParams = {
  name: "main",
  genesisHex: genesisHex(1231006505, 0x1d00ffff, 2083236893),
  genesisHash: "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f" as BlockHash,
  powLimitBits: 0x1d00ffff,
  powAllowMinDifficultyBlocks: false,
  powNoRetargeting: false,
  powTargetSpacing: 600,
  powTargetTimespan: 14 * 24 * 60 * 60,
  subsidyHalvingInterval: 210_000,
  coinbaseMaturity: 100,
  bip34Height: 227_931,
  bip65Height: 388_381,
  bip66Height: 363_725,
  csvHeight: 419_328,
  segwitHeight: 481_824,
  scriptFlagExceptions: new Map([
    // BIP16 exception: a block that spends a P2SH-looking output before BIP16.
    ["00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22", []],
    // Taproot exception: a block with a v1 witness spend before taproot activation.
    ["0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad", ["P2SH", "WITNESS"]],
  ]),
  network: networks.bitcoin,
  defaultRpcPort: 8332,
};

export const REGTEST: ChainParams = {
  name: "regtest",
  genesisHex: genesisHex(1296688602, 0x207fffff, 2),
  genesisHash: "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206" as BlockHash,
  powLimitBits: 0x207fffff,
  powAllowMinDifficultyBlocks: true,
  powNoRetargeting: true,
  powTargetSpacing: 600,
  powTargetTimespan: 14 * 24 * 60 * 60,
  subsidyHalvingInterval: 150,
  coinbaseMaturity: 100,
  bip34Height: 1,
  bip65Height: 1,
  bip66Height: 1,
  csvHeight: 1,
  segwitHeight: 0,
  scriptFlagExceptions: new Map(),
  network: networks.regtest,
  defaultRpcPort: 18443,
};

export function chainParams(name: ChainName): ChainParams {
  return name === "main" ? MAINNET : REGTEST;
}

/** The easiest target the chain allows. */
export function powLimit(params: ChainParams): bigint {
  return bitsToTarget(params.powLimitBits);
}

const genesisCache = new WeakMap<ChainParams, Block>();

/** The decoded genesis block; throws if the parameters' genesis does not hash to `genesisHash`. */
export function genesisBlock(params: ChainParams): Block {
  let block = genesisCache.get(params);
  if (block === undefined) {
    block = Block.decode(Buffer.from(params.genesisHex, "hex"));
    if (block.header.hash() !== params.genesisHash) {
      throw new NodeInputError(
        "bad-argument",
        `genesis of ${params.name} hashes to ${block.header.hash()}, expected ${params.genesisHash}`,
        params.name,
      );
    }
    genesisCache.set(params, block);
  }
  return block;
}
