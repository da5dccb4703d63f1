/**
 * The LVM chain's genesis: chain id, system contract addresses, the bridge predeploy holding the
 * whole 21,000,000 BTC supply, and (devnet profile only) funded developer accounts.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { HDNodeWallet, Mnemonic, zeroPadValue } from "ethers";

import type { ChainSpec, GenesisAccount } from "./executor.js";
import { btcToWei, type Address, type Hex, type Wei } from "./types.js";

/** Chain id of the LVM devnet: "LVM" in ASCII (0x4c564d). */
export const LVM_DEVNET_CHAIN_ID = 0x4c564dn;
/** The L2 bridge predeploy (see contracts/l2/L2Bridge.sol). */
export const BRIDGE_ADDRESS = "0x0000000000000000000000000000000000001000" as Address;
/** LvmBridge's ERC-7201 slot holding the governor (see contracts/bridge/LvmBridge.sol). */
export const BRIDGE_GOVERNOR_SLOT =
  "0xe7c28125046a9046d589038dec5b5bc4f05a8c2504789ee86b00a18fb8888700" as Hex;
/** Where priority fees go: the sequencer's fee account. */
export const SEQUENCER_FEE_ADDRESS = "0x0000000000000000000000000000000000001001" as Address;
/** The whole BTC supply, held by the bridge at genesis. */
export const TOTAL_SUPPLY_WEI: Wei = btcToWei(21_000_000n);
/** Fixed genesis time (2024-01-01T00:00:00Z) so every node builds the same genesis block. */
export const GENESIS_TIME = 1_704_067_200;
/** The well-known development mnemonic shared by Hardhat and anvil. Never use it with real funds. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";
/** Balance of each dev account on the devnet profile. */
export const DEV_BALANCE_WEI: Wei = btcToWei(10_000n);

/** A funded development account. */
export interface DevAccount {
  readonly address: Address;
  readonly privateKey: Hex;
}

/** The first `count` accounts of {@link DEV_MNEMONIC} (m/44'/60'/0'/0/i). */
export function devAccounts(count = 10): DevAccount[] {
  const mnemonic = Mnemonic.fromPhrase(DEV_MNEMONIC);
  return Array.from({ length: count }, (_, i) => {
    const w = HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`);
    return { address: w.address as Address, privateKey: w.privateKey as Hex };
  });
}

/** Reads the bridge's (LvmBridge) runtime bytecode from the Hardhat artifacts under `root`. */
export async function loadBridgeCode(root: string): Promise<Hex> {
  const file = path.join(root, "artifacts", "contracts", "bridge", "LvmBridge.sol", "LvmBridge.json");
  const artifact = JSON.parse(await readFile(file, "utf8")) as { deployedBytecode: Hex };
  return artifact.deployedBytecode;
}

export interface GenesisOptions {
  readonly bridgeCode: Hex;
  readonly chainId?: bigint;
  /** Extra funded accounts (devnet profile). They are outside the 21M supply: unbacked test money. */
  readonly devAccounts?: readonly Address[];
  readonly devBalance?: Wei;
  readonly blockGasLimit?: bigint;
  /** Who may configure the bridge once (light client, depth, pool key); none: nobody can. */
  readonly bridgeGovernor?: Address;
}

/** The chain spec of an LVM chain. */
export function lvmChainSpec(opts: GenesisOptions): ChainSpec {
  const alloc: GenesisAccount[] = [
    {
      address: BRIDGE_ADDRESS,
      balance: TOTAL_SUPPLY_WEI,
      code: opts.bridgeCode,
      ...(opts.bridgeGovernor === undefined
        ? {}
        : { storage: { [BRIDGE_GOVERNOR_SLOT]: zeroPadValue(opts.bridgeGovernor, 32) as Hex } }),
    },
  ];
  for (const address of opts.devAccounts ?? [])
    alloc.push({ address, balance: opts.devBalance ?? DEV_BALANCE_WEI });
  return {
    chainId: opts.chainId ?? LVM_DEVNET_CHAIN_ID,
    genesisTime: GENESIS_TIME,
    blockGasLimit: opts.blockGasLimit ?? 30_000_000n,
    // 0.01 gwei: a plain transfer costs about 21 sats at the initial base fee.
    initialBaseFeePerGas: 10_000_000n,
    coinbase: SEQUENCER_FEE_ADDRESS,
    hardfork: "prague",
    alloc,
  };
}
