// The parameter language: a small typed schema, so that defaults, ranges, units and help text live with the
// stage, `--help` can list them and bad values are rejected before any work starts.

interface NumberParam {
  type: 'number';
  default: number;
  min?: number;
  max?: number;
  /** Open bounds, instead of min / max: the value must be strictly above / below (eps ∈ (0, 1)). */
  exclusiveMin?: number;
  exclusiveMax?: number;
  /** Reject non-integers. */
  integer?: boolean;
  unit?: string;
  /**
   * Names a quantity several stages share (the VE SDE): nodes whose results are combined (one experiment, a
   * node and its upstream) must give it the same value, else the run stops at plan time (exit 2).
   */
  shared?: string;
  help: string;
}
interface StringParam<C extends string = string> {
  type: 'string';
  default: C;
  /** When present, the only values allowed. */
  choices?: readonly C[];
  help: string;
}
interface BooleanParam {
  type: 'boolean';
  default: boolean;
  help: string;
}
interface NumberListParam {
  type: 'number[]';
  default: number[];
  /** Bounds on every element; the exclusive ones are open, instead of min / max. */
  min?: number;
  max?: number;
  exclusiveMin?: number;
  exclusiveMax?: number;
  integer?: boolean;
  minLength?: number;
  unit?: string;
  help: string;
}
interface StringListParam<C extends string = string> {
  type: 'string[]';
  default: C[];
  choices?: readonly C[];
  minLength?: number;
  help: string;
}
export type ParamSpec = NumberParam | StringParam | BooleanParam | NumberListParam | StringListParam;
export type ParamSchema = Record<string, ParamSpec>;

type ParamValue<S extends ParamSpec> = S extends NumberParam
  ? number
  : S extends StringParam<infer C>
    ? C
    : S extends BooleanParam
      ? boolean
      : S extends NumberListParam
        ? number[]
        : S extends StringListParam<infer C>
          ? C[]
          : never;
export type ParamValues<P extends ParamSchema> = { [K in keyof P]: ParamValue<P[K]> };

/** Constructors that keep literal types (choices) and read well in a stage file. */
export const param = {
  number: (s: Omit<NumberParam, 'type'>): NumberParam => ({ type: 'number', ...s }),
  integer: (s: Omit<NumberParam, 'type' | 'integer'>): NumberParam => ({ type: 'number', integer: true, ...s }),
  choice: <const C extends string>(choices: readonly C[], s: { default: NoInfer<C>; help: string }): StringParam<C> => ({
    type: 'string',
    choices,
    ...s,
  }),
  string: (s: { default: string; help: string }): StringParam => ({ type: 'string', ...s }),
  boolean: (s: Omit<BooleanParam, 'type'>): BooleanParam => ({ type: 'boolean', ...s }),
  numbers: (s: Omit<NumberListParam, 'type'>): NumberListParam => ({ type: 'number[]', ...s }),
  choices: <const C extends string>(
    choices: readonly C[],
    s: { default: NoInfer<C>[]; help: string; minLength?: number },
  ): StringListParam<C> => ({ type: 'string[]', choices, ...s }),
};
