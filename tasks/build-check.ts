/**
 * `npm start`'s build check made cheap: Hardhat's own check reads and resolves every source
 * (2–8 s on 2 shared cores) even when nothing changed. A fingerprint of what a build reads (each
 * file under contracts/ by path, size and mtime; the config and the lockfile) is written into
 * the artifacts after a build; while it matches and the artifacts and typechain types exist, the
 * build is skipped. Any edit, a new file, `npm ci` or a deleted artifacts/ directory builds again.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const STAMP = ".lvm-build-fingerprint";

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
}

export function buildFingerprint(root: string): string {
  const files: string[] = [];
  walk(path.join(root, "contracts"), files);
  files.push(path.join(root, "hardhat.config.ts"), path.join(root, "package-lock.json"));
  const h = createHash("sha256");
  for (const f of files.sort()) {
    const st = existsSync(f) ? statSync(f) : undefined;
    h.update(`${path.relative(root, f)}\0${st?.size ?? -1}\0${st?.mtimeMs ?? -1}\n`);
  }
  return h.digest("hex");
}

/** Runs `build` unless the fingerprint of the last successful one still matches. */
export async function buildIfChanged(
  paths: { root: string; artifacts: string; types: string },
  build: () => Promise<unknown>,
): Promise<"built" | "unchanged"> {
  const stamp = path.join(paths.artifacts, STAMP);
  const now = buildFingerprint(paths.root);
  const fresh = existsSync(stamp) && existsSync(paths.types) && readFileSync(stamp, "utf8").trim() === now;
  if (fresh) return "unchanged";
  await build();
  writeFileSync(stamp, now + "\n");
  return "built";
}
