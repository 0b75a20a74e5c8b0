// Bad input as a typed value, in the bottom layer because a stage's plan-time answers (a backend that cannot
// be honoured) raise it as well as the engine: exit code 2, nothing written.

export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'UsageError';
  }
}
