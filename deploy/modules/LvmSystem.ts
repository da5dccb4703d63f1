/**
 * The LVM system contracts on an L2: the Bitcoin light client at its checkpoint, the batch
 * verifier, the bridge configured with both, and WrappedBTC. Parameters: see LightClient.ts and
 * BridgeConfig.ts; an example is deploy/parameters/devnet.json. docs/deploy.md has the commands.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import BridgeConfig from "./BridgeConfig.js";
import WrappedBTC from "./WrappedBTC.js";

export default buildModule("LvmSystem", (m) => {
  const { bridge, lightClient, batchVerifier } = m.useModule(BridgeConfig);
  const { wrappedBtc } = m.useModule(WrappedBTC);
  return { lightClient, batchVerifier, bridge, wrappedBtc };
});
