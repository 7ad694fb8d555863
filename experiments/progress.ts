import * as cliProgress from 'cli-progress';

/** The state of a training run shown after each batch. */
export interface RunState {
  /** Epoch, counted from 0. */
  epoch: number;
  /** Step within the run, counted from 1. */
  step: number;
  loss: number;
  accuracy: number;
  /** Current sparsity of the prunable layers. */
  sparsity: number;
}

/** The display of one training run. */
export interface RunProgress {
  update(state: RunState): void;
  /** Ends the run's display with a one-line summary. */
  finish(summary: string): void;
}

/** Where long work reports: one {@link RunProgress} per training run, and plain lines. */
export interface Progress {
  startRun(label: string, size: { epochs: number; stepsPerEpoch: number }): RunProgress;
  log(line: string): void;
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * Progress on `stream`: a cli-progress bar per training run in progress
 * (epoch, loss, accuracy, sparsity) on a terminal; otherwise a plain line per
 * epoch (and a shorter one each minute within an epoch), which suits log files. With `stream` null, nothing is shown.
 *
 * ```ts
 * const progress = createProgress(process.stderr);
 * const run = progress.startRun('gradual weight 90%', {epochs: 10, stepsPerEpoch: 469});
 * ```
 */
export function createProgress(stream: NodeJS.WriteStream | null): Progress {
  if (stream == null) {
    return { startRun: () => ({ update: () => undefined, finish: () => undefined }), log: () => undefined };
  }
  if (stream.isTTY) return barProgress(stream);
  const log = (line: string) => {
    stream.write(`${line}\n`);
  };
  return { startRun: lineRun(log), log };
}

/** One bar per run in progress, several at once when workers train in parallel; a finished run leaves its summary line. */
function barProgress(stream: NodeJS.WriteStream): Progress {
  const bars = new cliProgress.MultiBar({
    stream,
    format: '{label} {bar} {percentage}% | epoch {epochOf} | loss {loss} | acc {acc} | sparsity {sparsity} | {duration_formatted}',
    barsize: 20,
    hideCursor: true,
    clearOnComplete: false,
  }, cliProgress.Presets.shades_classic);
  const startRun: Progress['startRun'] = (label, { epochs, stepsPerEpoch }) => {
    const bar = bars.create(epochs * stepsPerEpoch, 0, { label: label.padEnd(44), epochOf: `1/${epochs}`, loss: '-', acc: '-', sparsity: '-' });
    return {
      update: (s) => bar.update(s.step, {
        epochOf: `${s.epoch + 1}/${epochs}`,
        loss: s.loss.toFixed(4),
        acc: percent(s.accuracy),
        sparsity: percent(s.sparsity),
      }),
      finish: (summary) => {
        bars.remove(bar);
        bars.log(`  ${label}: ${summary}\n`);
      },
    };
  };
  return { startRun, log: (line) => bars.log(`${line}\n`) };
}

/** Seconds between two lines of a run within an epoch, so that a log file shows long epochs moving. */
const LINE_SECONDS = 60;

function lineRun(log: (line: string) => void): Progress['startRun'] {
  return (label, { epochs, stepsPerEpoch }) => {
    const start = performance.now();
    let last = start;
    return {
      update: (s) => {
        const now = performance.now();
        if (s.step % stepsPerEpoch !== 0) {
          if (now - last < 1000 * LINE_SECONDS) return;
          last = now;
          log(`${label}: epoch ${s.epoch + 1}/${epochs}, step ${s.step} of ${epochs * stepsPerEpoch}, loss ${s.loss.toFixed(4)}, ` +
            `${((now - start) / 1000).toFixed(0)} s`);
          return;
        }
        last = now;
        log(`${label}: epoch ${s.epoch + 1}/${epochs}, loss ${s.loss.toFixed(4)}, accuracy ${percent(s.accuracy)}, ` +
          `sparsity ${percent(s.sparsity)}, ${((performance.now() - start) / 1000).toFixed(0)} s`);
      },
      finish: (summary) => log(`${label}: ${summary}`),
    };
  };
}
