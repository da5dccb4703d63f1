/**
 * BN254 arithmetic in Script: Fq and Fr as 37 digits of 7 bits, hinted products checked with a
 * quarter-square table, Fq2 over u² = −1.
 */
export * from "./field.js";
export * from "./mulcheck.js";
export * from "./ops.js";
export * from "./plain.js";
export * from "./fq2.js";
export * from "./g1.js";
export * from "./g2.js";
export * from "./final.js";
export * from "./tower.js";
export * from "./subgroup.js";
