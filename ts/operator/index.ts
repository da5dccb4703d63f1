/** The bridge operator as a library service (see docs/bridge.md, "Roles" and "Any amount"). */
export {
  Operator,
  type OperatorOptions,
  type OperatorStatus,
  type PayoutRecord,
  type PayoutStep,
  type ClaimRecord,
  type ClaimStep,
  type OperatorProgram,
  type PegInView,
} from "./operator.js";
