// Dense float64 linear algebra on row-major typed arrays with explicit dimensions.
export * from './matrix.ts';
export * from './symmetric-eigen.ts';
export * from './singular-values.ts';
export * from './cholesky.ts';
export * from './haar.ts';
