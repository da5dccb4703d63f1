/** WrappedBTC: native L2 BTC as an ERC-20 (contracts/l2/WrappedBTC.sol). No parameters. */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("WrappedBTC", (m) => {
  const wrappedBtc = m.contract("WrappedBTC");
  return { wrappedBtc };
});
