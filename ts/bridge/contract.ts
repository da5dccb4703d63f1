/**
 * The L2 bridge predeploy as the bridge roles call it: the typechain binding generated from
 * `contracts/bridge/LvmBridge.sol` (`npx hardhat build` writes `types/`), and reverts decoded by
 * error name and arguments against the bridge's and the light client's ABIs — never by message.
 */
import type { ContractRunner, Interface } from "ethers";

import type { BitcoinBackend } from "../btcnode/index.js";
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

/**
 * The bridge invariant from independent sources: BTC outside the L2 bridge (genesis supply minus
 * the bridge's balance) against the UTXOs locked on L1 under the pool script the bridge is
 * configured with (read from the L1 node's UTXO set, not from the bridge's own counters).
 */
export async function bridgeInvariant(
  l1: BitcoinBackend,
  bridge: LvmBridge,
): Promise<{ l2OutsideSats: bigint; l1LockedSats: bigint; holds: boolean }> {
  const [, , poolKey] = await bridge.config();
  const wei = await bridge.circulatingSupply();
  const pool = Uint8Array.of(0x51, 0x20, ...Buffer.from(poolKey.slice(2), "hex"));
  const l1LockedSats = (await l1.scanUtxos(pool)).reduce((acc, u) => acc + BigInt(u.value), 0n);
  // Wei below a satoshi cannot be withdrawn; round up so dust never hides a shortfall.
  const l2OutsideSats = (wei + 10n ** 10n - 1n) / 10n ** 10n;
  return { l2OutsideSats, l1LockedSats, holds: l2OutsideSats <= l1LockedSats };
}

/** A withdrawal as the L2 bridge recorded it (its WithdrawalInitiated event). */
export interface Withdrawal {
  readonly id: bigint;
  readonly sender: string;
  readonly sats: bigint;
  readonly scriptPubKey: string;
}

/** The withdrawal an L2 transaction made, read from its receipt. */
export async function withdrawalOf(bridge: LvmBridge, l2TxHash: string): Promise<Withdrawal> {
  const receipt = await bridge.runner?.provider?.getTransactionReceipt(l2TxHash);
  for (const log of receipt?.logs ?? []) {
    const ev = bridge.interface.parseLog(log);
    if (ev?.name === "WithdrawalInitiated")
      return {
        id: ev.args.getValue("id") as bigint,
        sender: ev.args.getValue("sender") as string,
        sats: ev.args.getValue("sats") as bigint,
        scriptPubKey: ev.args.getValue("scriptPubKey") as string,
      };
  }
  throw new BridgeError("INVALID_ARGUMENT", `no withdrawal in L2 transaction ${l2TxHash}`, l2TxHash);
}
