import test from 'ava';
import {PassThrough} from 'node:stream';
import {createProgress} from '../../src/cli/progress.js';

/** A stream that says it is a terminal and records what is drawn. */
function fakeTerminal(isTTY: boolean): {stream: NodeJS.WriteStream; text: () => string} {
  const chunks: string[] = [];
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & {isTTY: boolean; columns: number};
  stream.isTTY = isTTY;
  stream.columns = 100;
  stream.cursorTo = (() => true) as NodeJS.WriteStream['cursorTo'];
  stream.clearLine = (() => true) as NodeJS.WriteStream['clearLine'];
  stream.moveCursor = (() => true) as NodeJS.WriteStream['moveCursor'];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return {stream, text: () => chunks.join('')};
}

test('draws on a terminal, restarts after stop, with the payload in the format', async (t) => {
  const {stream, text} = fakeTerminal(true);
  const bar = createProgress({format: 'epoch {epoch} {value}/{total}', json: false, stream});
  t.true(bar.visible);
  bar.update(1, 4, {epoch: 1});
  bar.update(4, 4, {epoch: 1});
  bar.stop();
  bar.update(2, 5, {epoch: 2});
  bar.stop();
  bar.stop();
  await new Promise((r) => setImmediate(r));
  t.regex(text(), /epoch 1 4\/4/);
  t.regex(text(), /epoch 2 2\/5/);
});

test('silent off a terminal and under --json', async (t) => {
  for (const [isTTY, json] of [[false, false], [true, true]] as const) {
    const {stream, text} = fakeTerminal(isTTY);
    const bar = createProgress({format: '{value}/{total}', json, stream});
    t.false(bar.visible);
    bar.update(1, 2);
    bar.stop();
    await new Promise((r) => setImmediate(r));
    t.is(text(), '');
  }
});
