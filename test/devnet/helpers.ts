import { readFileSync } from "node:fs";
import path from "node:path";

import { devnetServices, type Artifact, type DevnetOptions } from "../../ts/devnet/services.js";
import { loadBridgeCode } from "../../ts/l2/index.js";
import { root } from "../l2/helpers.js";

const artifact = (file: string): Artifact =>
  JSON.parse(readFileSync(path.join(root, "artifacts/contracts", file), "utf8")) as Artifact;

/** The npm start services on free ports, fast intervals and no prover (tests start what they need). */
export async function testDevnet(
  overrides: Partial<DevnetOptions> = {},
): Promise<ReturnType<typeof devnetServices>> {
  return devnetServices({
    bridgeCode: await loadBridgeCode(root),
    lightClient: artifact("bitcoin/BtcLightClient.sol/BtcLightClient.json"),
    ports: { l1: 0, l2: 0, committee: 0 },
    prover: "none",
    blockTimeMs: 200,
    pollMs: 200,
    ...overrides,
  });
}
