/**
 * The OP-DLC channels registry (contracts/dlc/DlcChannels.sol). Parameters:
 * - `lightClient`: the BtcLightClient that proves each channel's funding output by SPV;
 * - `confirmations`: the depth a funding transaction needs;
 * - `federation`: the L2 account that records channels (the federation co-signs every funding).
 * The devnet deploys it from ts/devnet/dlc.ts with the bridge's light client and depth.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("DlcChannels", (m) => {
  const lightClient = m.getParameter<string>("lightClient");
  const confirmations = m.getParameter<bigint>("confirmations");
  const federation = m.getParameter<string>("federation");
  const dlcChannels = m.contract("DlcChannels", [lightClient, confirmations, federation]);
  return { dlcChannels };
});
