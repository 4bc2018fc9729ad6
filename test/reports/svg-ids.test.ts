// Scoping SVG ids: every id a chart defines, and every reference to it, gets the chart's prefix, so several charts
// inlined in one page never use each other's clip paths or gradients.
import test from 'ava';
import fc from 'fast-check';
import type {TopLevelSpec} from 'vega-lite';
import {renderSvg} from '../../src/reports/render-svg.js';
import {scopeSvgIds} from '../../src/reports/svg-ids.js';

const clipped = {
  data: {values: [{a: 'x', b: 3}, {a: 'y', b: 9}]},
  mark: {type: 'bar', clip: true},
  encoding: {x: {field: 'a', type: 'nominal'}, y: {field: 'b', type: 'quantitative', scale: {domain: [0, 5]}}},
} as TopLevelSpec;

test('scopeSvgIds prefixes every defined id and every reference to it, and nothing else', async (t) => {
  const {svg} = await renderSvg(clipped);
  const scoped = scopeSvgIds(svg, 'c3');
  t.regex(scoped, /id="c3-clip1"/);
  t.regex(scoped, /clip-path="url\(#c3-clip1\)"/);
  t.false(/id="clip1"|url\(#clip1\)/.test(scoped));
  t.is(scoped.replace(/c3-/g, ''), svg);
  const gradient = '<svg><defs><linearGradient id="gradient_0"/></defs><rect fill="url(#gradient_0)"/><use href="#gradient_0"/><rect fill="url(#other)"/></svg>';
  t.is(scopeSvgIds(gradient, 'x'), '<svg><defs><linearGradient id="x-gradient_0"/></defs><rect fill="url(#x-gradient_0)"/><use href="#x-gradient_0"/><rect fill="url(#other)"/></svg>');
  t.throws(() => scopeSvgIds(svg, '1"bad'), {message: /id prefix/});
  // Two charts scoped with different prefixes never share an id.
  fc.assert(fc.property(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), (a, b) => {
    fc.pre(a !== b && !a.startsWith(`${b}-`) && !b.startsWith(`${a}-`));
    const ids = (s: string): string[] => [...s.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
    const left = ids(scopeSvgIds(svg, a));
    return ids(scopeSvgIds(svg, b)).every((id) => !left.includes(id));
  }));
});
