/**
 * Configures the L2 bridge (contracts/bridge/LvmBridge.sol) with the light client and the batch
 * verifier deployed by their modules. The bridge is not deployed here: it is a predeploy of the
 * LVM genesis (ts/l2), whose governor is written in the genesis state, so the sender of these
 * calls must be that governor (`--default-sender`). Both calls succeed once per bridge.
 * - `bridge`: the bridge's address (default: the LVM predeploy, BRIDGE_ADDRESS);
 * - `confirmations`: Bitcoin confirmations a peg-in needs before it is credited;
 * - `poolKey`: the committee pool's x-only taproot output key (bytes32).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { BRIDGE_ADDRESS } from "../../ts/l2/index.js";
import BatchVerifier from "./BatchVerifier.js";
import LightClient from "./LightClient.js";

export default buildModule("BridgeConfig", (m) => {
  const { lightClient } = m.useModule(LightClient);
  const { batchVerifier } = m.useModule(BatchVerifier);
  const bridge = m.contractAt("LvmBridge", m.getParameter<string>("bridge", BRIDGE_ADDRESS));
  m.call(bridge, "configure", [
    lightClient,
    m.getParameter<bigint>("confirmations"),
    m.getParameter<string>("poolKey"),
  ]);
  m.call(bridge, "setBatchVerifier", [batchVerifier]);
  return { bridge, lightClient, batchVerifier };
});
