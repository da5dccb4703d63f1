/**
 * A warm restart's deployments, confirmed without Ignition: loading Ignition and replaying a
 * journal takes seconds on 2 cores and sends nothing when nothing changed. After a successful
 * deployment the devnet records `<journal>/.lvm-deployed.json`: the addresses and a key over
 * what the deployment depends on (the build's fingerprint in the artifacts, the Ignition
 * modules' sources and the parameters). While the key matches and every address has code on the
 * L2, the recorded addresses are used; otherwise the caller deploys through Ignition as before.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { JsonRpcProvider } from "ethers";

import { writeAtomic } from "../dlc/index.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const STAMP = ".lvm-deployed.json";
/** Written by tasks/build-check.ts after each build. */
const BUILD_FINGERPRINT = ".lvm-build-fingerprint";

/** The key, or undefined when the artifacts carry no build fingerprint (then always deploy). */
export function deploymentKey(artifacts: string, parameters: unknown): string | undefined {
  const fp = path.join(artifacts, BUILD_FINGERPRINT);
  if (!existsSync(fp)) return undefined;
  const h = createHash("sha256");
  h.update(readFileSync(fp));
  const modules = path.join(REPO_ROOT, "deploy", "modules");
  for (const f of readdirSync(modules).sort()) h.update(f).update(readFileSync(path.join(modules, f)));
  h.update(JSON.stringify(parameters, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)));
  return h.digest("hex");
}

/** The recorded addresses, if the key matches and each has code on the L2. */
export async function warmDeployment<T extends Record<string, string>>(
  journal: string,
  key: string | undefined,
  provider: JsonRpcProvider,
): Promise<T | undefined> {
  const file = path.join(journal, STAMP);
  if (key === undefined || !existsSync(file)) return undefined;
  let saved: { key: string; addresses: T };
  try {
    saved = JSON.parse(readFileSync(file, "utf8")) as { key: string; addresses: T };
  } catch {
    return undefined;
  }
  if (saved.key !== key) return undefined;
  const codes = await Promise.all(Object.values(saved.addresses).map((a) => provider.getCode(a)));
  return codes.every((c) => c !== "0x") ? saved.addresses : undefined;
}

export function recordDeployment(
  journal: string,
  key: string | undefined,
  addresses: Record<string, string>,
): void {
  if (key !== undefined) writeAtomic(path.join(journal, STAMP), { key, addresses });
}
