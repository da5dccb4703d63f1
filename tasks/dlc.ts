/**
 * `dlc:open`, `dlc:status`, `dlc:withdraw`, `dlc:disprove`: the OP-DLC bridge on a running devnet.
 * The flows bind the generated contract types, so each task builds first and loads them after
 * (a fresh clone runs any of them without a separate build).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type * as Impl from "./dlc-impl.js";
import { withEndpoints } from "./endpoints.js";

type Args<K extends keyof typeof Impl> = Parameters<(typeof Impl)[K]>[0];

async function load(hre: HardhatRuntimeEnvironment): Promise<typeof Impl> {
  await hre.tasks.getTask("build").run({ quiet: true });
  return import("./dlc-impl.js");
}

export const open = async (args: Args<"open">, hre: HardhatRuntimeEnvironment): Promise<void> =>
  withEndpoints("dlc:open", args, async (a) => (await load(hre)).open(a));
export const status = async (args: Args<"status">, hre: HardhatRuntimeEnvironment): Promise<void> =>
  withEndpoints("dlc:status", args, async (a) => (await load(hre)).status(a));
export const withdraw = async (args: Args<"withdraw">, hre: HardhatRuntimeEnvironment): Promise<void> =>
  withEndpoints("dlc:withdraw", args, async (a) => (await load(hre)).withdraw(a));
export const disprove = async (args: Args<"disprove">, hre: HardhatRuntimeEnvironment): Promise<void> =>
  withEndpoints("dlc:disprove", args, async (a) => (await load(hre)).disprove(a));
