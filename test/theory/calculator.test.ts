// The `theory` command: JSON keys, numbers consistent with the library, bad input → exit code 2.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runTheoryCommand } from '../../theory/calculator.ts';
import { marchenkoPasturEdges } from '../../theory/edges.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  return { out: () => out.join(''), err: () => err.join('') };
}

afterEach(() => vi.restoreAllMocks());

describe('theory calculator', () => {
  it('--json gives sorted edges and gaps with s_max, height, s_open, s_close', async () => {
    const io = capture();
    const code = await runTheoryCommand(['--alpha', '0.4', '--variances', '0.5:1,0.5:0.01', '--json']);
    expect(code).toBe(0);
    const j = JSON.parse(io.out());
    expect(j.edges).toHaveLength(4);
    expect([...j.edges].sort((a: number, b: number) => a - b)).toEqual(j.edges);
    expect(j.edges[2]).toBeCloseTo(0.3076, 4);
    expect(j.gaps).toHaveLength(2);
    for (const g of j.gaps) for (const k of ['s_max', 'height', 's_open', 's_close']) expect(g).toHaveProperty(k);
    const inter = j.gaps.find((g: { kind: string }) => g.kind === 'intermediate');
    expect(inter.s_max).toBeCloseTo(0.0743, 4);
    expect(inter.height).toBeCloseTo(0.611, 3);
    expect(inter.s_open * inter.s_close).toBeCloseTo(j.edges[1] * j.edges[2], 10);
    // The manifold gap opens at γ₋(1 − Δ)/Δ with the default Δ = 0.1.
    expect(j.gaps[0].s_open).toBeCloseTo(j.edges[0] * 9, 10);
  });

  it('single variance: Marchenko–Pastur edges; --delta=... form accepted', async () => {
    const io = capture();
    expect(await runTheoryCommand(['--alpha=0.25', '--variances=1:2', '--delta=0.2', '--json'])).toBe(0);
    const j = JSON.parse(io.out());
    const mp = marchenkoPasturEdges(2, 0.25);
    expect(j.edges[0]).toBeCloseTo(mp.lower, 9);
    expect(j.edges[1]).toBeCloseTo(mp.upper, 9);
    expect(j.gaps[0].s_open).toBeCloseTo((mp.lower * 0.8) / 0.2, 9);
  });

  it('text output lists edges, gaps and phases', async () => {
    const io = capture();
    expect(await runTheoryCommand(['--alpha', '0.5', '--variances', '0.75:1,0.25:0.01'])).toBe(0);
    expect(io.out()).toMatch(/bulk 1/);
    expect(io.out()).toMatch(/coverage/);
  });

  it.each([
    [['--alpha', '0.4', '--variances', '0.5:1,0.4:0.01'], /--variances.*sum to 1/],
    [['--alpha', '0', '--variances', '1:1'], /--alpha.*'0'/],
    [['--alpha', '1.5', '--variances', '1:1'], /--alpha/],
    [['--alpha', '0.4', '--variances', '0.5-1,0.5:2'], /--variances.*'0.5-1'/],
    [['--alpha', '0.4', '--variances', '1:-3'], /variance 1 must be/],
    [['--alpha', '0.4', '--variances', '1:1', '--delta', '2'], /--delta.*'2'/],
    [['--variances', '1:1'], /--alpha is required/],
    [['--alpha', '0.4', '--variances', '1:1', '--bogus'], /unknown argument '--bogus'/],
  ])('bad input %j → exit 2 with a message naming the flag', async (argv, message) => {
    const io = capture();
    expect(await runTheoryCommand(argv)).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.out()).toBe('');
  });
});
