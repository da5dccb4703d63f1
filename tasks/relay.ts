import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { BitcoindRpcBackend } from "../ts/btcnode/index.js";
import { EthersLightClient, Relayer, RelayerError } from "../ts/relayer/index.js";

interface RelayArgs {
  lightclient: string;
  chain: string;
  rpcurl: string;
  rpcuser: string;
  rpcpassword: string;
  rpccookie: string;
  batch: string;
  poll: string;
}

/** powLimit and retargeting per Bitcoin network (Core's chainparams). */
const RULES: Record<string, { powLimit: bigint; retargeting: boolean }> = {
  mainnet: { powLimit: 0xffffn << 208n, retargeting: true },
  testnet: { powLimit: 0xffffn << 208n, retargeting: true },
  regtest: { powLimit: 0x7fffffn << 232n, retargeting: false },
};

/**
 * `npx hardhat relay --network <l2>`: relays Bitcoin headers from a Core-compatible JSON-RPC
 * (bitcoind or the embedded node) to BtcLightClient until Ctrl-C. Without --lightclient it first
 * deploys one, checkpointed at the source's latest epoch start (regtest: its genesis).
 */
export default async function relay(args: RelayArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  const rules = RULES[args.chain];
  if (rules === undefined)
    throw new RelayerError("BAD_OPTION", "chain must be mainnet | testnet | regtest", args.chain);
  const source = await BitcoindRpcBackend.connect({
    url: args.rpcurl,
    user: args.rpcuser === "" ? undefined : args.rpcuser,
    password: args.rpcpassword === "" ? undefined : args.rpcpassword,
    cookieFile: args.rpccookie === "" ? undefined : args.rpccookie,
  });
  const { ethers } = await hre.network.create();
  const [signer] = await ethers.getSigners();

  let address = args.lightclient;
  if (address === "") {
    const tip = await source.getBlockCount();
    const height = rules.retargeting ? tip - (tip % 2016) : 0;
    const checkpoint = (await source.getBlockHeader(await source.getBlockHash(height))).encode();
    const lc = await ethers.deployContract("BtcLightClient", [
      checkpoint,
      height,
      rules.powLimit,
      rules.retargeting,
    ]);
    address = await lc.getAddress();
    console.log(`deployed BtcLightClient at ${address} (checkpoint height ${height})`);
  }
  const client = new EthersLightClient(address, signer);
  const relayer = new Relayer({
    source,
    client,
    batchSize: Number(args.batch),
    pollMs: Number(args.poll),
    onEvent: (e) => {
      if (e.kind === "submitted")
        console.log(`${e.reorg ? "reorg → " : ""}headers ${e.from}..${e.to} (${e.count}) gas ${e.gasUsed}`);
      else if (e.kind === "error") console.error(`relay round failed: ${e.error.message}`);
    },
  });
  const best = await client.bestBlock();
  console.log(`relaying ${args.rpcurl} → ${address}; contract tip ${best.height} ${best.hash}`);
  relayer.start();
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      void relayer
        .stop()
        .then(() => source.close())
        .then(resolve);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
