// Minimal typings for the parts of snarkjs 0.7 we call (the package ships none).
declare module "snarkjs" {
  export interface SnarkLogger {
    debug(msg: string): void;
    info(msg: string): void;
    warn(msg: string): void;
    error(msg: string): void;
  }
  export interface Groth16ProofJson {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  }
  export type SignalInput = Record<string, unknown>;
  export const groth16: {
    fullProve(
      input: SignalInput,
      wasm: string,
      zkey: string,
      logger?: SnarkLogger,
    ): Promise<{ proof: Groth16ProofJson; publicSignals: string[] }>;
    verify(vkey: object, publicSignals: string[], proof: object, logger?: SnarkLogger): Promise<boolean>;
  };
  export const plonk: {
    setup(r1cs: string, ptau: string, zkey: string, logger?: SnarkLogger): Promise<unknown>;
    fullProve(
      input: SignalInput,
      wasm: string,
      zkey: string,
      logger?: SnarkLogger,
    ): Promise<{ proof: Record<string, unknown>; publicSignals: string[] }>;
    verify(vkey: object, publicSignals: string[], proof: object, logger?: SnarkLogger): Promise<boolean>;
    exportSolidityCallData(proof: object, publicSignals: string[]): Promise<string>;
  };
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: SnarkLogger): Promise<unknown>;
    beacon(
      oldZkey: string,
      newZkey: string,
      name: string,
      beaconHashHex: string,
      numIterationsExp: number,
      logger?: SnarkLogger,
    ): Promise<unknown>;
    exportVerificationKey(zkey: string, logger?: SnarkLogger): Promise<Record<string, unknown>>;
    exportSolidityVerifier(
      zkey: string,
      templates: { groth16: string; plonk: string; fflonk: string },
      logger?: SnarkLogger,
    ): Promise<string>;
  };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, ptau: string, logger?: SnarkLogger): Promise<unknown>;
    beacon(
      oldPtau: string,
      newPtau: string,
      name: string,
      beaconHashHex: string,
      numIterationsExp: number,
      logger?: SnarkLogger,
    ): Promise<unknown>;
    preparePhase2(oldPtau: string, newPtau: string, logger?: SnarkLogger): Promise<unknown>;
  };
  export const r1cs: {
    info(
      r1cs: string,
      logger?: SnarkLogger,
    ): Promise<{ nConstraints: number; nPubInputs: number; nOutputs: number }>;
  };
  export const curves: { getCurveFromName(name: string): Promise<unknown> };
}
