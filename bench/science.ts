// The science acceptance figures of a finished run, read from its published Parquet with DuckDB (the
// same way a user's own analysis would): `npx tsx bench/science.ts [OUT_DIR]` (default out/).
//  - trained spectra: median count of eigenvalues of sym(s·J) above −0.5 at the smallest analysed s (→ m);
//  - relative Frobenius error of the trained s·J against the analytic one over s ∈ [1e-3, 1];
//  - the theory fit against the truth; measured vs predicted gap times.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const out = resolve(process.argv[2] ?? 'out');
const db = await (await DuckDBInstance.create(':memory:')).connect();
async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await db.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}
const fmt = (v: unknown) => (typeof v === 'number' ? (Math.abs(v) >= 1e-3 || v === 0 ? v.toPrecision(4) : v.toExponential(3)) : String(v));
function table(title: string, r: Record<string, unknown>[]): void {
  console.log(`\n${title}`);
  if (r.length === 0) return console.log('  (no rows)');
  console.table(r.map((x) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, fmt(typeof v === 'bigint' ? Number(v) : v)]))));
}

for (const exp of ['fig3-left', 'fig3-centre', 'fig3-right']) {
  const p = (node: string, t: string) => join(out, exp, node, `${t}.parquet`);
  if (!existsSync(p('spectra-trained', 'spectra'))) {
    console.log(`\n${exp}: no trained spectra in ${out}`);
    continue;
  }
  table(
    `${exp}: eigenvalues of sym(s·J) above −0.5 at the smallest s (median over points), by score`,
    await rows(`
      with counts as (
        select score, method, point_kind, s, point, sum(case when eig > -0.5 then 1 else 0 end) as k
        from read_parquet(['${p('spectra-trained', 'spectra')}', '${p('spectra-analytic', 'spectra')}', '${p('spectra-empirical', 'spectra')}'])
        where method = 'exact' group by all)
      select score, point_kind, min(s) as s, median(k) as median_count, min(k) as min_count, max(k) as max_count
      from counts c where s = (select min(s) from counts c2 where c2.score = c.score) group by score, point_kind order by score, point_kind`),
  );
  table(
    `${exp}: relative Frobenius error of the trained s·J against the analytic one, s in [1e-3, 1]`,
    await rows(`
      select point_kind, count(*) as points, median(rel_frobenius) as median, avg(rel_frobenius) as mean, max(rel_frobenius) as max
      from read_parquet('${p('spectra-trained', 'jacobian_error')}')
      where reference = 'analytic' and s between 1e-3 and 1 group by point_kind order by point_kind`),
  );
  table(
    `${exp}: finite-difference Jacobians against the exact one (trained score)`,
    await rows(`
      select method, median(rel_frobenius) as median, max(rel_frobenius) as max
      from read_parquet('${p('spectra-trained', 'jacobian_error')}') where reference = 'exact' group by method order by method`),
  );
  if (existsSync(p('fit', 'fit'))) table(`${exp}: theory fit against the truth`, await rows(`select parameter, truth, fitted, lo, hi from read_parquet('${p('fit', 'fit')}')`));
  if (existsSync(p('phase-times', 'phase_times')))
    table(`${exp}: gap times, measured (trained) vs theory`, await rows(`select gap, source, s_open, s_max, s_close from read_parquet('${p('phase-times', 'phase_times')}') order by gap, source`));
}
