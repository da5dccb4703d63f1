/**
 * BtcLightClient with its checkpoint (contracts/bitcoin/BtcLightClient.sol). Every parameter is
 * required, so no network is deployed with another network's rules by omission:
 * - `checkpoint`: the trusted 80-byte header (hex); with `retargeting` it must start an epoch;
 * - `height`: its height;
 * - `powLimit`: the network's easiest target (mainnet 0x00000000ffff·2^208, regtest 0x7fffff·2^232);
 * - `retargeting`: mainnet/testnet difficulty rules (true) or regtest's fixed difficulty (false).
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("LightClient", (m) => {
  const checkpoint = m.getParameter<string>("checkpoint");
  const height = m.getParameter<bigint>("height");
  const powLimit = m.getParameter<bigint>("powLimit");
  const retargeting = m.getParameter<boolean>("retargeting");
  const lightClient = m.contract("BtcLightClient", [checkpoint, height, powLimit, retargeting]);
  return { lightClient };
});
