import cliProgress from 'cli-progress';

/**
 * Progress of a long step for a person watching: a bar on a terminal; elsewhere (logs, CI, pipes) one plain line
 * when the step ends, since cli-progress without a terminal prints its format with the placeholders unfilled.
 */
export interface StepProgress {
  /** `total` null: unknown size (a download without content-length); the bar then follows `value`. */
  update(value: number, total: number | null): void;
  /** Ends the bar, or prints the plain line. */
  done(summary: string): void;
}

export function stepProgress(stream: NodeJS.WriteStream, label: string, unit: string): StepProgress {
  if (!stream.isTTY) return { update: () => {}, done: (summary) => void stream.write(`${label} : ${summary}\n`) };
  const bar = new cliProgress.SingleBar(
    { format: `${label} {bar} {value}/{total} ${unit}`, clearOnComplete: false, hideCursor: true, stream },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(value, total) {
      if (!started) {
        bar.start(total ?? value, 0);
        started = true;
      }
      bar.setTotal(total ?? value);
      bar.update(value);
    },
    done(summary) {
      if (started) bar.stop();
      stream.write(`${label} : ${summary}\n`);
    },
  };
}
