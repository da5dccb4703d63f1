/**
 * The L2 bridge predeploy as the bridge roles call it: the typechain binding generated from
 * `contracts/bridge/LvmBridge.sol` (`npx hardhat build` writes `types/`), and reverts decoded by
 * error name and arguments against the bridge's and the light client's ABIs — never by message.
 */
import type { ContractRunner, Interface } from "ethers";

import { BRIDGE_ADDRESS } from "../l2/index.js";
import { IBtcLightClient__factory, LvmBridge__factory, type LvmBridge } from "../../types/index.js";
import { BridgeError } from "./errors.js";

export type { LvmBridge };

/** The bridge predeploy at its genesis address, for `runner` (a provider reads, a signer sends). */
export const lvmBridge = (runner: ContractRunner): LvmBridge =>
  LvmBridge__factory.connect(BRIDGE_ADDRESS, runner);

/** A contract revert by its custom error. */
export interface Revert {
  readonly name: string;
  readonly args: Record<string, unknown>;
}

let interfaces: Interface[] | undefined;

/** The custom error a call reverted with (bridge or light client), or undefined if `e` is no revert we know. */
export function decodeRevert(e: unknown): Revert | undefined {
  interfaces ??= [LvmBridge__factory.createInterface(), IBtcLightClient__factory.createInterface()];
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur !== null && typeof cur === "object"; depth++) {
    const o = cur as { data?: unknown; error?: unknown; info?: { error?: unknown }; cause?: unknown };
    if (typeof o.data === "string" && o.data.length >= 10)
      for (const i of interfaces) {
        try {
          const d = i.parseError(o.data);
          if (d !== null) {
            const args: Record<string, unknown> = {};
            d.fragment.inputs.forEach((p, k) => (args[p.name || String(k)] = d.args[k] as unknown));
            return { name: d.name, args };
          }
        } catch {
          // not this interface's
        }
      }
    cur = o.error ?? o.info?.error ?? o.cause;
  }
  return undefined;
}

/** `e` as a BridgeError: a decoded revert is `CONTRACT_REVERT` with `details.error`/`details.args`. */
export function asBridgeError(e: unknown, what: string): BridgeError {
  if (e instanceof BridgeError) return e;
  const r = decodeRevert(e);
  if (r !== undefined)
    return new BridgeError(
      "CONTRACT_REVERT",
      `${what}: ${r.name}(${Object.values(r.args).map(String).join(", ")})`,
      r.name,
      {
        cause: e,
        details: { error: r.name, args: r.args },
      },
    );
  return new BridgeError(
    "RPC_FAILED",
    `${what}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`,
    undefined,
    {
      cause: e,
    },
  );
}

/** Reverts that mean "the light client does not hold the block at the bridge's depth yet". */
export const NOT_RELAYED_YET = new Set(["SpvBlockNotInBestChain", "SpvInsufficientConfirmations"]);
