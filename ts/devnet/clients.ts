/**
 * What tools use against a running devnet (the bridge tasks): the typed bridge binding, the dev
 * depositor, the committee's RPC client and the L1 dev key. A public surface of its own so that a
 * task does not import every service (`services.ts`) just to talk to one.
 */
export { devnetDepositor, lvmBridge } from "./bridge.js";
export { bridgeRpc, remotePresigner } from "./committee.js";
export { l1DevKey } from "./l1.js";
export { devnetWatchedGraphs } from "./watchtower.js";
