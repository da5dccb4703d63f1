/** The depositor's durable peg-in flow (see docs/bridge.md, "Crash safety"). */
export {
  Depositor,
  DEPOSIT_WAITS,
  type DepositRecord,
  type DepositStep,
  type DepositorOptions,
  type FlowHook,
  type Presigner,
} from "./depositor.js";
