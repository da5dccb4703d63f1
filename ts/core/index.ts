/**
 * The lowest layer: what every component shares and nothing of ours is imported into.
 * Domain values and the base error live here.
 */
export { LvmError, isLvmError, type LvmErrorOptions } from "./errors.js";
export * from "./domain.js";
