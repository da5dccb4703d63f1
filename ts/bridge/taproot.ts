import {
  Address,
  OutScript,
  p2tr,
  taprootListToTree,
  tapLeafHash,
  TAP_LEAF_VERSION,
} from "@scure/btc-signer/payment.js";
import { TaprootControlBlock } from "@scure/btc-signer/psbt.js";
import { Script } from "@scure/btc-signer/script.js";
import { NETWORK, TAPROOT_UNSPENDABLE_KEY, TEST_NETWORK, type BTC_NETWORK } from "@scure/btc-signer/utils.js";
import type { Blocks, L2Address, XOnlyKey } from "./types.js";
import { xOnlyKey } from "./types.js";

/**
 * BIP341's suggested NUMS point H (x-only). Nobody knows its discrete log, so an output with this
 * internal key can be spent only through its script leaves.
 */
export const NUMS_KEY: XOnlyKey = xOnlyKey(Uint8Array.from(TAPROOT_UNSPENDABLE_KEY));

/** A tapscript leaf as it appears in a witness: script, leaf hash, and the control block. */
export interface TapLeaf {
  script: Uint8Array;
  leafHash: Uint8Array;
  controlBlock: Uint8Array;
}

/** A P2TR output: its scriptPubKey, output key, and (for script outputs) its named leaves. */
export interface TapOutput<L extends string = string> {
  script: Uint8Array;
  outputKey: XOnlyKey;
  internalKey: XOnlyKey;
  /** Root of the script tree; empty for key-path-only outputs (the BIP86 tweak). */
  merkleRoot: Uint8Array;
  leaves: Record<L, TapLeaf>;
}

/** A key-path-only output (BIP86 tweak, no script tree). */
export function keyPathOutput(internalKey: XOnlyKey): TapOutput<never> {
  const p = p2tr(internalKey, undefined, undefined, true);
  return {
    script: p.script,
    outputKey: xOnlyKey(p.tweakedPubkey),
    internalKey,
    merkleRoot: new Uint8Array(0),
    leaves: {} as Record<never, TapLeaf>,
  };
}

/** A script-path output with NUMS (or the given) internal key and the named leaves. */
export function scriptOutput<L extends string>(
  leaves: Record<L, Uint8Array>,
  internalKey: XOnlyKey = NUMS_KEY,
): TapOutput<L> {
  const names = Object.keys(leaves) as L[];
  const list = names.map((n) => ({ script: leaves[n], leafVersion: TAP_LEAF_VERSION }));
  const tree = list.length === 1 ? list[0] : taprootListToTree(list);
  const p = p2tr(internalKey, tree, undefined, true);
  const out = {} as Record<L, TapLeaf>;
  for (const n of names) {
    const script = leaves[n];
    const leafHash = tapLeafHash(script);
    const entry = (p.tapLeafScript ?? []).find(([, s]) => equal(s.subarray(0, s.length - 1), script));
    if (entry === undefined) throw new Error(`taproot tree lost leaf ${n}`); // invariant of p2tr
    out[n] = { script, leafHash, controlBlock: TaprootControlBlock.encode(entry[0]) };
  }
  return {
    script: p.script,
    outputKey: xOnlyKey(p.tweakedPubkey),
    internalKey,
    merkleRoot: p.tapMerkleRoot,
    leaves: out,
  };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---- leaf scripts of the graph ----

/**
 * Deposit → PegInConfirm: `<recipient> DROP <committee> CHECKSIGVERIFY <depositor> CHECKSIG`.
 * The recipient push binds the L2 account into the deposit address itself (the address differs per
 * recipient), and the depositor's signature means PegInConfirm moves the coins only once the
 * depositor has seen the committee's presigned graph.
 */
export function confirmLeaf(recipient: L2Address, committee: XOnlyKey, depositor: XOnlyKey): Uint8Array {
  return Script.encode([recipient, "DROP", committee, "CHECKSIGVERIFY", depositor, "CHECKSIG"]);
}

/** Deposit → PegInRefund: `<timelock> CSV DROP <depositor> CHECKSIG`. */
export function refundLeaf(timelock: Blocks, depositor: XOnlyKey): Uint8Array {
  return Script.encode([timelock, "CHECKSEQUENCEVERIFY", "DROP", depositor, "CHECKSIG"]);
}

/** `<timelock> CSV DROP <key> CHECKSIG`: a connector a presigned transaction spends after a window. */
export function timelockedKeyLeaf(timelock: Blocks, key: XOnlyKey): Uint8Array {
  return Script.encode([timelock, "CHECKSEQUENCEVERIFY", "DROP", key, "CHECKSIG"]);
}

/** Bitcoin networks whose addresses we print. */
export type AddressNetwork = "mainnet" | "testnet" | "regtest";

const NETWORKS: Record<AddressNetwork, BTC_NETWORK> = {
  mainnet: NETWORK,
  testnet: TEST_NETWORK,
  regtest: { ...TEST_NETWORK, bech32: "bcrt" },
};

/** Bech32m address of a P2TR output, for wallets (`bc1p…`, `tb1p…`, `bcrt1p…`). */
export function taprootAddress(output: Pick<TapOutput<string>, "script">, network: AddressNetwork): string {
  return Address(NETWORKS[network]).encode(OutScript.decode(output.script));
}
