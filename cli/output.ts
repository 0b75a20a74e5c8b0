// What the commands print: results on stdout, errors and warnings on stderr, one line each call.
export const print = (s: string) => process.stdout.write(`${s}\n`);
export const eprint = (s: string) => process.stderr.write(`${s}\n`);
