// `theory ...`: the theory calculator (theory/calculator.ts), loaded only for this command, so that a checkout
// without it (the engine's toy copies) runs every other command.
import { eprint } from './output.ts';

export async function theoryCommand(argv: string[]): Promise<number> {
  let calculator: typeof import('../theory/calculator.ts');
  try {
    calculator = await import('../theory/calculator.ts');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !String((e as Error).message).includes('calculator')) throw e;
    eprint('error: the theory calculator (theory/calculator.ts) is not available in this checkout');
    return 1;
  }
  return calculator.runTheoryCommand(argv);
}
