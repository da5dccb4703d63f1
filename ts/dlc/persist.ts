/**
 * JSON codecs of the DLC values a service persists (bigints and bytes as strings), and atomic
 * file replacement (write a temporary file, fsync, rename) so kill -9 leaves the old or the new.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import path from "node:path";
import { sats, txidFromHex } from "../bitcoin/index.js";
import { winternitzLayout } from "../bitvm/index.js";
import type { PayoutInterval } from "./channel.js";
import type { StakeTerms } from "./stake.js";
import type { DlcUtxo } from "./tx.js";

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
export const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"));

export function writeAtomic(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, JSON.stringify(value, null, 1));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

export interface UtxoJson {
  txid: string;
  vout: number;
  amount: string;
  script: string;
}

export const utxoToJson = (u: DlcUtxo): UtxoJson => ({
  txid: u.txid,
  vout: u.vout,
  amount: u.amount.toString(),
  script: hex(u.script),
});
export const utxoFromJson = (j: UtxoJson): DlcUtxo => ({
  txid: txidFromHex(j.txid),
  vout: j.vout,
  amount: sats(BigInt(j.amount)),
  script: unhex(j.script),
});

export interface StakeTermsJson {
  userKey: string;
  federationKey: string;
  oracleKey: string;
  winternitz: { messageBytes: number; digitBits: number; hashes: string[] };
  requested: string;
  intervals: { from: string; to: string; user: string }[];
  window: number;
  reclaim: number;
  timelockValue: string;
  feeRate: string;
  returnScript: string;
}

export function stakeTermsToJson(t: StakeTerms): StakeTermsJson {
  return {
    userKey: hex(t.userKey),
    federationKey: hex(t.federationKey),
    oracleKey: hex(t.oracleKey),
    winternitz: {
      messageBytes: t.winternitz.layout.messageBytes,
      digitBits: t.winternitz.layout.digitBits,
      hashes: t.winternitz.hashes.map(hex),
    },
    requested: t.requested.toString(),
    intervals: t.intervals.map((iv) => ({
      from: iv.from.toString(),
      to: iv.to.toString(),
      user: iv.user.toString(),
    })),
    window: t.window,
    reclaim: t.reclaim,
    timelockValue: t.timelockValue.toString(),
    feeRate: t.feeRate.toString(),
    returnScript: hex(t.returnScript),
  };
}

export function stakeTermsFromJson(j: StakeTermsJson): StakeTerms {
  const intervals: PayoutInterval[] = j.intervals.map((iv) => ({
    from: BigInt(iv.from),
    to: BigInt(iv.to),
    user: sats(BigInt(iv.user)),
  }));
  return {
    userKey: unhex(j.userKey),
    federationKey: unhex(j.federationKey),
    oracleKey: unhex(j.oracleKey),
    winternitz: {
      layout: winternitzLayout({
        messageBytes: j.winternitz.messageBytes,
        digitBits: j.winternitz.digitBits,
      }),
      hashes: j.winternitz.hashes.map(unhex),
    },
    requested: BigInt(j.requested),
    intervals,
    window: j.window,
    reclaim: j.reclaim,
    timelockValue: sats(BigInt(j.timelockValue)),
    feeRate: BigInt(j.feeRate),
    returnScript: unhex(j.returnScript),
  };
}
