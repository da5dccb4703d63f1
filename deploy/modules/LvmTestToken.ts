/** Hardhat Ignition module: the test ERC-20, deployed to any network (e.g. `--network lvm`). */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("LvmTestToken", (m) => {
  const supply = m.getParameter("supply", 1_000_000n * 10n ** 18n);
  const token = m.contract("LvmTestToken", [supply]);
  return { token };
});
