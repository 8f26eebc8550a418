/**
 * Admission control for inferences: at most `concurrency` run at once and at most `queue`
 * wait; anything beyond is refused at once (the server answers 503 with Retry-After) instead
 * of piling up memory and latency.
 */

/** A place in the limiter: wait for `run`, then `release` (always, also on errors). */
export interface Ticket {
  /** Resolves when this ticket may run. */
  start(): Promise<void>;
  /** Gives the place back (idempotent). */
  release(): void;
}

export class InferenceLimiter {
  readonly concurrency: number;
  readonly queue: number;
  #running = 0;
  #admitted = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(concurrency: number, queue: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
    }
    if (!Number.isInteger(queue) || queue < 0) {
      throw new RangeError(`queue must be an integer >= 0, got ${queue}`);
    }
    this.concurrency = concurrency;
    this.queue = queue;
  }

  /** Requests admitted and not yet released (running or waiting). */
  get admitted(): number {
    return this.#admitted;
  }

  get running(): number {
    return this.#running;
  }

  /** A ticket, or undefined when `concurrency + queue` are already admitted. */
  tryAdmit(): Ticket | undefined {
    if (this.#admitted >= this.concurrency + this.queue) return undefined;
    this.#admitted++;
    let started = false;
    let released = false;
    let waiter: (() => void) | undefined;
    return {
      start: () =>
        new Promise<void>((resolve) => {
          if (released) return;
          const go = () => {
            waiter = undefined;
            started = true;
            this.#running++;
            resolve();
          };
          if (this.#running < this.concurrency) go();
          else {
            waiter = go;
            this.#waiting.push(go);
          }
        }),
      release: () => {
        if (released) return;
        released = true;
        this.#admitted--;
        if (waiter !== undefined) {
          // left while still waiting: take it out of the line
          const i = this.#waiting.indexOf(waiter);
          if (i >= 0) this.#waiting.splice(i, 1);
          waiter = undefined;
        }
        if (started) {
          this.#running--;
          this.#waiting.shift()?.();
        }
      },
    };
  }
}
