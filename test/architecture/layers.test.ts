// Folders import one way. The engine's layers sit in a declared order, each importing only the ones before
// it, and no folder of production code reaches back to itself through others.
import { describe, expect, it } from 'vitest';
import { findCycles, folderGraph, sourceFiles } from './source-graph.ts';

/** Bottom to top: a folder may import the folders before it in this list, never those after it. */
const LAYERS = ['core', 'cache', 'artifacts', 'engine', 'cli'];

const graph = folderGraph(sourceFiles());
const show = (cycle: string[]) =>
  cycle.map((f, i) => (i + 1 < cycle.length ? `${f} (${graph.get(f)?.get(cycle[i + 1])})` : f)).join(' → ');

describe('folder-level imports of production code', () => {
  it('finds the folders and their imports', () => {
    for (const f of [...LAYERS, 'science', 'stages', 'pipeline.ts']) expect(graph.has(f), f).toBe(true);
    expect(graph.get('cli')!.has('engine')).toBe(true);
  });

  it('has no cycle between folders', () => {
    const cycles = findCycles(new Map([...graph].map(([k, v]) => [k, v.keys()])));
    expect(cycles.map(show), 'folder cycles (each edge with one import that makes it)').toEqual([]);
  });

  it('keeps the layers in order: core → cache → artifacts → engine → cli', () => {
    const upward: string[] = [];
    for (const [i, from] of LAYERS.entries()) {
      for (const [to, via] of graph.get(from) ?? []) {
        if (LAYERS.indexOf(to) > i) upward.push(`${from} imports ${to}, a layer above it: ${via}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('keeps the science and the stages off the engine: they take the contract from core', () => {
    const engineSide = new Set(['cache', 'engine', 'cli']);
    const reached: string[] = [];
    for (const from of ['wasm', 'linalg', 'science', 'theory', 'images', 'plots', 'stages']) {
      for (const [to, via] of graph.get(from) ?? []) if (engineSide.has(to)) reached.push(via);
    }
    expect(reached).toEqual([]);
  });

  it('keeps core free of every other folder', () => {
    expect([...(graph.get('core')?.values() ?? [])]).toEqual([]);
  });
});

describe('the cycle finder', () => {
  const g = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

  it('reports a two-folder cycle as a closed path', () => {
    expect(findCycles(g({ a: ['b'], b: ['a', 'c'], c: [] }))).toEqual([['a', 'b', 'a']]);
  });

  it('reports a longer cycle through every folder on it, and each separate cycle once', () => {
    const cycles = findCycles(g({ a: ['b'], b: ['c'], c: ['a'], d: ['e'], e: ['d'], f: ['a'] }));
    expect(cycles).toHaveLength(2);
    const long = cycles.find((c) => c.length === 4)!;
    expect(long[0]).toBe(long[3]);
    expect(new Set(long)).toEqual(new Set(['a', 'b', 'c']));
    expect(cycles.find((c) => c.length === 3)!.slice().sort()).toEqual(['d', 'd', 'e']);
  });

  it('finds a self-loop and nothing in a DAG', () => {
    expect(findCycles(g({ a: ['a'] }))).toEqual([['a', 'a']]);
    expect(findCycles(g({ a: ['b', 'c'], b: ['c'], c: [] }))).toEqual([]);
  });
});
