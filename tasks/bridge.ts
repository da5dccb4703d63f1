import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type * as Bridge from "../ts/bridge/index.js";
import { hexToBytes, isHex } from "../ts/core/index.js";
import type { AddressNetwork, ParamsProfile } from "../ts/bridge/index.js";

// ts/bridge includes the generated contract bindings: loaded after the build.
let B: typeof Bridge;

interface BridgeAddressArgs {
  committee: string;
  depositor: string;
  recipient: string;
  profile: string;
  chain: string;
}

function hexBytes(what: string, s: string): Uint8Array {
  const h = s.startsWith("0x") ? s.slice(2) : s;
  if (h === "" || !isHex(h)) throw new B.BridgeError("INVALID_ARGUMENT", `${what} is not hex: ${s}`, s);
  return hexToBytes(h);
}

function oneOf<T extends string>(what: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) {
    throw new B.BridgeError("INVALID_ARGUMENT", `${what} must be one of ${allowed.join(", ")}, got ${v}`, v);
  }
  return v as T;
}

/**
 * `npx hardhat bridge:address`: the deposit address of (committee, depositor refund key, L2
 * recipient) under a timelock profile, its two leaves, and the committee's pool address.
 */
export default async function bridgeAddress(
  args: BridgeAddressArgs,
  hre: HardhatRuntimeEnvironment,
): Promise<void> {
  await hre.tasks.getTask("build").run({ quiet: true });
  B = await import("../ts/bridge/index.js");
  const { bridgeParams, Committee, depositOutput, l2Address, poolOutput, taprootAddress, xOnlyKey } = B;
  try {
    const profile = oneOf<ParamsProfile>("profile", args.profile, ["devnet", "mainnet"]);
    const network = oneOf<AddressNetwork>("chain", args.chain, ["regtest", "testnet", "mainnet"]);
    const params = bridgeParams(profile);
    const committee = new Committee(
      args.committee
        .split(",")
        .filter((k) => k !== "")
        .map((k, i) => hexBytes(`committee key ${i}`, k)),
    );
    const deposit = {
      depositor: xOnlyKey(hexBytes("depositor key", args.depositor)),
      recipient: l2Address(args.recipient),
    };
    const out = depositOutput(committee, deposit, params);
    const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
    console.log(
      JSON.stringify(
        {
          depositAddress: taprootAddress(out, network),
          scriptPubKey: hex(out.script),
          leaves: { confirm: hex(out.leaves.confirm.script), refund: hex(out.leaves.refund.script) },
          refundTimelockBlocks: params.refundTimelock,
          committeeAggregateKey: hex(committee.aggregateKey),
          poolAddress: taprootAddress(poolOutput(committee), network),
        },
        null,
        2,
      ),
    );
  } catch (e) {
    if (!(e instanceof B.BridgeError)) throw e;
    console.error(`bridge:address: ${e.code}: ${e.message}`);
    process.exitCode = 1;
  }
}
