/**
 * Script verification flags, bit-for-bit Bitcoin Core's `SCRIPT_VERIFY_*` so flag sets can be
 * exchanged with Core's test vectors and RPCs.
 */
import { LvmError } from "../../core/index.js";
export type ScriptFlags = number;

export const FLAGS = Object.freeze({
  NONE: 0,
  P2SH: 1 << 0,
  STRICTENC: 1 << 1,
  DERSIG: 1 << 2,
  LOW_S: 1 << 3,
  NULLDUMMY: 1 << 4,
  SIGPUSHONLY: 1 << 5,
  MINIMALDATA: 1 << 6,
  DISCOURAGE_UPGRADABLE_NOPS: 1 << 7,
  CLEANSTACK: 1 << 8,
  CHECKLOCKTIMEVERIFY: 1 << 9,
  CHECKSEQUENCEVERIFY: 1 << 10,
  WITNESS: 1 << 11,
  DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM: 1 << 12,
  MINIMALIF: 1 << 13,
  NULLFAIL: 1 << 14,
  WITNESS_PUBKEYTYPE: 1 << 15,
  CONST_SCRIPTCODE: 1 << 16,
  TAPROOT: 1 << 17,
  DISCOURAGE_UPGRADABLE_TAPROOT_VERSION: 1 << 18,
  DISCOURAGE_OP_SUCCESS: 1 << 19,
  DISCOURAGE_UPGRADABLE_PUBKEYTYPE: 1 << 20,
});

export type FlagName = Exclude<keyof typeof FLAGS, "NONE">;

/** Every defined flag: what Core's tests mean by "all flags" (`~excluded`). */
export const ALL_FLAGS: ScriptFlags = Object.entries(FLAGS).reduce((acc, [, v]) => acc | v, 0);

/** Consensus rules in force today (Core's mandatory set, used by block validation). */
export const MANDATORY_FLAGS: ScriptFlags =
  FLAGS.P2SH |
  FLAGS.DERSIG |
  FLAGS.NULLDUMMY |
  FLAGS.CHECKLOCKTIMEVERIFY |
  FLAGS.CHECKSEQUENCEVERIFY |
  FLAGS.WITNESS |
  FLAGS.TAPROOT;

/** Core's standardness flags (mempool policy). */
export const STANDARD_FLAGS: ScriptFlags =
  MANDATORY_FLAGS |
  FLAGS.STRICTENC |
  FLAGS.LOW_S |
  FLAGS.MINIMALDATA |
  FLAGS.DISCOURAGE_UPGRADABLE_NOPS |
  FLAGS.CLEANSTACK |
  FLAGS.MINIMALIF |
  FLAGS.NULLFAIL |
  FLAGS.WITNESS_PUBKEYTYPE |
  FLAGS.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM |
  FLAGS.CONST_SCRIPTCODE |
  FLAGS.DISCOURAGE_UPGRADABLE_TAPROOT_VERSION |
  FLAGS.DISCOURAGE_OP_SUCCESS |
  FLAGS.DISCOURAGE_UPGRADABLE_PUBKEYTYPE;

export class ScriptFlagsError extends LvmError<"UNKNOWN_FLAG"> {
  override readonly name = "ScriptFlagsError";
  constructor(readonly flag: string) {
    super("UNKNOWN_FLAG", `unknown script verification flag "${flag}"`, { value: flag });
  }
}

/** "P2SH,WITNESS" → bitset. Accepts Core's names with or without `SCRIPT_VERIFY_`; "" and "NONE" are 0. */
export function parseFlags(s: string): ScriptFlags {
  let flags = 0;
  for (const raw of s.split(",")) {
    const name = raw.trim().replace(/^SCRIPT_VERIFY_/, "");
    if (name === "" || name === "NONE") continue;
    const bit = (FLAGS as Record<string, number>)[name];
    if (bit === undefined) throw new ScriptFlagsError(raw);
    flags |= bit;
  }
  return flags;
}

/** Bitset → "P2SH,WITNESS" in bit order. */
export function formatFlags(flags: ScriptFlags): string {
  return Object.entries(FLAGS)
    .filter(([name, bit]) => name !== "NONE" && (flags & bit) !== 0)
    .map(([name]) => name)
    .join(",");
}
