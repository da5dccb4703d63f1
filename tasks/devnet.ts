import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

interface DevnetArgs {
  port: string;
}

export default async function devnet(args: DevnetArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  console.log(`devnet placeholder on port ${args.port}, ${hre.config.paths.root}`);
}
