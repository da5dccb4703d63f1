/**
 * The Groth16 verifier as a BitVM2 program: Winternitz commitments to Fq digit vectors, the
 * chunker that compiles a program of `bn254` leaves into Disprove leaves, the assertion and the
 * challenger's check, and the Taproot/Disprove transaction around them.
 */
export * from "./commit.js";
export * from "./program.js";
export * from "./tx.js";
export * from "./programs.js";
export * from "./split.js";
export * from "./snarkjs.js";
