/**
 * JSON for Bitcoin Core's RPC: amounts are printed as Core prints them (8 decimals, a JSON number,
 * never a float rounding artefact), big integers stay exact, and incoming amounts are parsed the
 * way Core's AmountFromValue does.
 */

/** A BTC amount held in satoshis; serialized as e.g. `50.00000000`. */
export class Amount {
  constructor(readonly sats: bigint) {}
  toJSON(): string {
    return formatBtc(this.sats);
  }
}

export function formatBtc(sats: bigint): string {
  const neg = sats < 0n;
  const a = neg ? -sats : sats;
  return `${neg ? "-" : ""}${a / 100_000_000n}.${(a % 100_000_000n).toString().padStart(8, "0")}`;
}

/** Plain JSON values plus the two exact numeric kinds the RPC emits. */
export type JsonOut =
  | null
  | boolean
  | number
  | string
  | bigint
  | Amount
  | readonly JsonOut[]
  | { readonly [k: string]: JsonOut | undefined };

/** Serializes like JSON.stringify, but Amount and bigint become exact number literals. */
export function stringify(v: JsonOut | undefined): string {
  if (v === undefined || v === null) return "null";
  if (v instanceof Amount) return formatBtc(v.sats);
  switch (typeof v) {
    case "bigint":
      return v.toString();
    case "number":
      return Number.isFinite(v) ? JSON.stringify(v) : "null";
    case "string":
    case "boolean":
      return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${(v as readonly JsonOut[]).map((x) => stringify(x)).join(",")}]`;
  const obj = v as { readonly [k: string]: JsonOut | undefined };
  const parts: string[] = [];
  for (const k of Object.keys(obj)) {
    const x = obj[k];
    if (x === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${stringify(x)}`);
  }
  return `{${parts.join(",")}}`;
}
