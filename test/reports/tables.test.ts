// The tables: which rows each holds, the best value bold per dataset column, significance marks and deltas from
// hand-made PairedComparison values with their legend, missing runs shown, names escaped for LaTeX and Markdown,
// the literature block, the kernel-sweep table ordered by k and omitted when there is none.
import test from 'ava';
import {reportTables, tableLatex, tableMarkdown} from '../../src/reports/tables.js';
import {texEscape} from '../../src/reports/tex.js';
import {comparisonOf, reportModel, summaryRow} from './fixtures/table-model.js';

const SUMMARY = [
  summaryRow('full', 'kvasir-seg', [0.9, 0.01, 3]),
  summaryRow('w/o MIE', 'kvasir-seg', [0.85, 0.02, 3]),
  summaryRow('ld.largeKernel=31', 'kvasir-seg', [0.88, 0.01, 3]),
  summaryRow('ld.largeKernel=7', 'kvasir-seg', [0.86, 0.01, 3]),
  summaryRow('U-Net', 'kvasir-seg', [0.8, 0.03, 3], {kind: 'baseline'}),
  summaryRow('full', 'busi', [0.7, 0.02, 3]),
  summaryRow('w/o MIE', 'busi', [0.75, null, 1], {planned: 3, done: 1, missing: ['seed 1: failed: loss is NaN', 'seed 2: not trained yet']}),
  summaryRow('ld.largeKernel=31', 'busi', [0.7, 0.02, 3]),
  summaryRow('ld.largeKernel=7', 'busi', [0.6, 0.02, 3]),
  summaryRow('U-Net', 'busi', [0.65, 0.02, 3], {kind: 'baseline'}),
];

test('tables: ablation (reference first, sweep points left out), baselines (reference + baselines), kernel sweep by k', (t) => {
  const tables = reportTables(reportModel(SUMMARY));
  t.deepEqual(tables.map((x) => [x.name, x.rows.map((r) => r.variant)]), [
    ['ablation', ['full', 'w/o MIE']],
    ['baselines', ['full', 'U-Net']],
    ['kernel-sweep', ['ld.largeKernel=7', 'ld.largeKernel=31']],
  ]);
  t.deepEqual(tables[0]!.columns, [{dataset: 'kvasir-seg', testSet: 'test'}, {dataset: 'busi', testSet: 'test'}]);
});

test('no kernel-sweep variant: no kernel-sweep table; no baseline and no literature: no baselines table', (t) => {
  const tables = reportTables(reportModel([summaryRow('full', 'd', [0.9, 0.01, 2]), summaryRow('w/o LD', 'd', [0.8, 0.01, 2])]));
  t.deepEqual(tables.map((x) => x.name), ['ablation']);
});

test('Markdown: best per column bold, missing runs as n and in the legend, no delta column without comparisons', (t) => {
  const md = tableMarkdown(reportTables(reportModel(SUMMARY))[0]!);
  t.regex(md, /\| full \(reference\) \| \*\*0\.9000 ± 0\.0100\*\* \| 0\.7000 ± 0\.0200 \| 1\.23M \| 0\.500 \|/);
  t.regex(md, /\| w\/o MIE \| 0\.8500 ± 0\.0200 \| \*\*0\.7500\*\* \(n=1\/3\) \|/);
  t.regex(md, /Missing for w\/o MIE on busi: seed 1: failed: loss is NaN; seed 2: not trained yet\./);
  t.notRegex(md, /Δ/);
  t.notRegex(md, /†/);
});

test('significance: dagger vs the reference, double dagger vs U-Net, the delta with its CI, and the legend', (t) => {
  const comparisons = [
    comparisonOf('w/o MIE', 'full', 'kvasir-seg', -0.05, true),
    comparisonOf('w/o MIE', 'full', 'busi', 0.05, false),
    comparisonOf('w/o MIE', 'U-Net', 'kvasir-seg', 0.05, true),
    comparisonOf('full', 'U-Net', 'kvasir-seg', 0.1, true),
  ];
  const [ablation] = reportTables(reportModel(SUMMARY, {comparisons}));
  const md = tableMarkdown(ablation!);
  t.regex(md, /\| w\/o MIE \| 0\.8500 ± 0\.0200†‡ \| -0\.0500 \[-0\.0600, -0\.0400\] \| \*\*0\.7500\*\* \(n=1\/3\) \| \+0\.0500 \[\+0\.0400, \+0\.0600\] \|/);
  t.regex(md, /\| full \(reference\) \| \*\*0\.9000 ± 0\.0100\*\*‡ \| - \|/);
  t.regex(md, /^† significantly different from full \(two-sided Wilcoxon signed-rank test over test images, .*Holm-corrected.*p &lt; 0\.05\)\. Δ: mean Dice difference vs full with its 95% paired bootstrap CI\.$/m);
  t.regex(md, /^‡ significantly different from U-Net/m);
  const tex = tableLatex(ablation!);
  t.regex(tex, /w\/o MIE & \$0\.8500 \\pm 0\.0200\^\{\\dagger\\ddagger\}\$ & \$-0\.0500\$ \{\\scriptsize \[\$-0\.0600\$, \$-0\.0400\$\]\}/);
  t.regex(tex, /\{\\footnotesize \$\^\\dagger\$ significantly different from full .*\$p < 0\.05\$/);
});

test('LaTeX: booktabs, bold best as \\mathbf, missing runs as (n/planned), a table float with caption and label', (t) => {
  const tex = tableLatex(reportTables(reportModel(SUMMARY))[0]!);
  for (const piece of ['\\toprule', '\\midrule', '\\bottomrule', '\\begin{tabular}{lccrr}', '\\label{tab:mslk-ablation}']) t.true(tex.includes(piece), piece);
  t.true(tex.includes('full (reference) & $\\mathbf{0.9000 \\pm 0.0100}$ & $0.7000 \\pm 0.0200$ & 1.23M & 0.500 \\\\'));
  t.true(tex.includes('$\\mathbf{0.7500}$ {\\scriptsize (1/3)}'));
  t.notRegex(tex, /\\hline/);
});

test('LaTeX and Markdown escape names: w/o MIE, _, %, &, #, braces, backslash', (t) => {
  t.is(texEscape('w/o MIE'), 'w/o MIE');
  t.is(texEscape('a_b 100% A&B #1 {x} \\ ~^'), 'a\\_b 100\\% A\\&B \\#1 \\{x\\} \\textbackslash{} \\textasciitilde{}\\textasciicircum{}');
  const odd = [summaryRow('full', 'my_data', [0.9, 0.01, 2]), summaryRow('w/o MIE & 50% #2', 'my_data', [0.8, 0.01, 2]), summaryRow('<script>|*x*', 'my_data', [0.7, 0.01, 2])];
  const [ablation] = reportTables(reportModel(odd));
  const tex = tableLatex(ablation!);
  t.true(tex.includes('w/o MIE \\& 50\\% \\#2 & '));
  t.true(tex.includes('Variant & my\\_data & Params'));
  t.true(tex.includes('\\textless{}script\\textgreater{}\\textbar{}*x*'));
  const md = tableMarkdown(ablation!);
  t.true(md.includes('| &lt;script&gt;\\|\\*x\\* |'));
  t.true(md.includes('| Variant | my\\_data mDice |'));
});

test('the literature block: its own labelled table under the baselines, not in the bold-best comparison', (t) => {
  const literature = [{model: 'U-Net', dataset: 'kvasir-seg', dice: 0.99, iou: null, citation: 'Someone et al., MIUA 2022', protocol: '800/100/100 split'}];
  const baselines = reportTables(reportModel(SUMMARY, {literature})).find((x) => x.name === 'baselines')!;
  const md = tableMarkdown(baselines);
  t.regex(md, /\*\*Published results\*\* \(from the literature, not reproduced here;/);
  t.regex(md, /\| U-Net \| kvasir-seg \| 0\.9900 \| - \| 800\/100\/100 split \| Someone et al\., MIUA 2022 \|/);
  t.regex(md, /\| full \(reference\) \| \*\*0\.9000 ± 0\.0100\*\* \|/, 'the published 0.99 does not take the bold');
  const tex = tableLatex(baselines);
  t.regex(tex, /\\textbf\{Published results\}/);
  t.true(tex.includes('U-Net & kvasir-seg & 0.9900 & -- & 800/100/100 split & Someone et al., MIUA 2022 \\\\'));
});
