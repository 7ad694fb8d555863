// Temporary directories under os.tmpdir() for the file system tests, removed after each test.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import { join } from 'path';

/** Registers cleanup hooks in the current suite; the returned function creates a fresh directory. */
export function useTempDirs(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = fs.mkdtempSync(join(os.tmpdir(), 'tfjs-prune-test-'));
    dirs.push(dir);
    return dir;
  };
}

/**
 * Makes `dir` unwritable, returning the function that undoes it, or null if
 * this machine cannot. As root, permissions do not stop writes, so it uses
 * the immutable attribute (`chattr +i`, where the file system supports it).
 */
export function makeReadOnly(dir: string): (() => void) | null {
  let undo: () => void;
  try {
    if (process.getuid?.() === 0) {
      execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
      undo = () => execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
    } else {
      fs.chmodSync(dir, 0o555);
      undo = () => fs.chmodSync(dir, 0o755);
    }
  } catch {
    return null;
  }
  const probe = join(dir, 'probe');
  try {
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
    undo();
    return null;
  } catch {
    return undo;
  }
}

/** Every file in `dir` with its bytes (a subdirectory with its own snapshot), to check that a failed operation changed nothing. */
export function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((name) => {
    const path = join(dir, name);
    return [name, fs.statSync(path).isDirectory() ? `directory ${JSON.stringify(snapshot(path))}` : fs.readFileSync(path).toString('base64')];
  }));
}
