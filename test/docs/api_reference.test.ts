// The API reference build (`npm run docs`: TypeDoc with typedoc.json) checks
// that every export of both entries has a doc comment with an example; here it
// runs without writing the HTML, so the suite fails on an undocumented export.
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const ROOT = join(__dirname, '..', '..');
const TYPEDOC = join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');

/** Runs TypeDoc with the options file `options`, without output files; returns its exit code and log. */
function typedoc(options: string): { status: number | null; log: string } {
  const result = spawnSync(process.execPath, [TYPEDOC, '--options', options, '--emit', 'none'],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  return { status: result.status, log: `${result.stdout}${result.stderr}` };
}

describe('API reference (TypeDoc)', function () {
  this.timeout(60_000);

  it('documents every export of tfjs-prune and tfjs-prune/node, each with an example', () => {
    const { status, log } = typedoc(join(ROOT, 'typedoc.json'));
    expect(log.match(/^\[(warning|error)\].*$/gm) ?? []).to.deep.equal([]);
    expect(status, log).to.equal(0);
  });

  it('fails on an export without a doc comment or without an example, naming each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-prune-typedoc-'));
    try {
      writeFileSync(join(dir, 'entry.ts'), [
        'export function undocumented(): number { return 1; }',
        '/** Documented, but shows no use. */',
        'export const noExample = 2;',
        '/**',
        ' * Documented with an example.',
        ' *',
        ' * ```js',
        ' * documented(); // 3',
        ' * ```',
        ' */',
        'export function documented(): number { return 3; }',
      ].join('\n'));
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true }, files: ['entry.ts'] }));
      // The project's options, on this entry point.
      writeFileSync(join(dir, 'typedoc.json'), JSON.stringify({
        extends: [join(ROOT, 'typedoc.json')], entryPoints: ['./entry.ts'], tsconfig: './tsconfig.json', intentionallyNotExported: [],
      }));
      const { status, log } = typedoc(join(dir, 'typedoc.json'));
      expect(status).to.not.equal(0);
      expect(log).to.match(/undocumented \(CallSignature\)[^\n]* does not have any documentation/);
      expect(log).to.match(/noExample \(Variable\) has no example: add a fenced code block/);
      expect(log).to.not.match(/\] documented \(Function\) has no example/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
