// `--help [--profile NAME]` shows the value each parameter takes under the profile and where it came from,
// read against the profile trees themselves (config/profiles.ts, the toy spec's), not against a literal.
import { describe, expect, it } from 'vitest';
import { spec } from '../../pipeline.ts';
import { PROFILES } from '../../config/profiles.ts';
import { helpText } from '../../cli/help.ts';
import { showValue } from '../../engine/config.ts';
import { declareDag, nodeLabel } from '../../engine/dag.ts';
import { toySpec } from '../fixtures/toy-pipeline.ts';
import train from '../../stages/train.ts';
import data from '../../stages/data.ts';

const paramLine = (text: string, key: string) => text.split('\n').find((l) => l.startsWith(`    ${key} = `));

/** The stage-level parameters a profile sets: [stage, param, value]. */
function stageSettings(profile: string): Array<[string, string, unknown]> {
  const stageNames = new Set<string>();
  const help = helpText(spec, spec.defaultProfile);
  for (const m of help.matchAll(/^ {4}([\w-]+)\.[\w-]+ = /gm)) stageNames.add(m[1]);
  return Object.entries(PROFILES[profile])
    .filter(([stage]) => stageNames.has(stage))
    .flatMap(([stage, tree]) => Object.entries(tree as Record<string, unknown>).map(([k, v]) => [stage, k, v] as [string, string, unknown]));
}

describe('--help values under a profile', () => {
  it.each(Object.keys(PROFILES).filter((p) => p !== 'smoke'))('shows, for every stage parameter profile %s sets, its value and names the profile and key', (profile) => {
    const text = helpText(spec, profile);
    expect(text).toContain(`parameters under profile ${profile}`);
    const settings = stageSettings(profile);
    expect(settings.length).toBeGreaterThan(0);
    for (const [stage, name, value] of settings) {
      expect(paramLine(text, `${stage}.${name}`), `${profile}: ${stage}.${name}`).toContain(`= ${showValue(value)} (profile ${profile}: ${stage}.${name})`);
    }
  });

  it('--profile smoke shows smoke\'s values, and the stage default beside them', () => {
    const text = helpText(spec, 'smoke');
    const settings = stageSettings('smoke');
    expect(settings.length).toBeGreaterThan(5);
    for (const [stage, name, value] of settings) {
      const line = paramLine(text, `${stage}.${name}`)!;
      expect(line, `${stage}.${name}`).toContain(`${showValue(value)} (profile smoke: ${stage}.${name}`);
    }
    // train.steps is smoke-sized there, and the stage default is named as such.
    const steps = paramLine(text, 'train.steps')!;
    expect(steps).toContain(`; stage default ${showValue(train.params.steps.default)})`);
  });

  it('names an experiment-level override with the nodes it applies to, apart from the others', () => {
    const text = helpText(spec, 'smoke');
    const tree = PROFILES.smoke['fig3-right'] as { data: { n_variances: number } };
    const line = paramLine(text, 'data.n_variances')!;
    expect(line).toContain(`${tree.data.n_variances} (profile smoke: fig3-right.data.n_variances; fig3-right/data)`);
    // The other data nodes (fig3-left, fig3-centre, the memorisation experiment's): listed, or counted past three.
    const others = declareDag(spec).nodes.filter((n) => n.stage.name === 'data' && n.experiment !== 'fig3-right').map(nodeLabel);
    expect(others).toContain('fig3-left/data');
    expect(line).toContain(`${showValue(data.params.n_variances.default)} (stage default; ${others.length > 3 ? `${others.length} nodes` : others.join(', ')})`);
  });

  it('on the toy spec: a pipeline.ts value, overridden by a profile at stage level', () => {
    const quick = paramLine(helpText(toySpec, 'quick'), 'numbers.n')!;
    // toy/numbers declares n: 5 and broken/independent n: 2 in the spec; the quick profile sets nothing.
    expect(quick).toContain('5 (pipeline.ts; toy/numbers)');
    expect(quick).toContain('2 (pipeline.ts; broken/independent)');
    const smoke = paramLine(helpText(toySpec, 'smoke'), 'numbers.n')!;
    const n = (toySpec.profiles.smoke.numbers as { n: number }).n;
    expect(smoke).toContain(`= ${n} (profile smoke: numbers.n)`);
    expect(smoke).not.toContain('pipeline.ts');
  });

  it('an unknown profile is bad input naming the choices', () => {
    expect(() => helpText(toySpec, 'quik')).toThrow(/unknown profile "quik": choose one of smoke, quick, paper \(did you mean "quick"\?\)/);
  });
});
