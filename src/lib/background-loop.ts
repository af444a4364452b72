/**
 * Runs `round` over and over in the background until stopped: again at once while it reports work
 * done, else after `idleMs` of wall time (a pause only decides when to look again; what a round
 * does with time comes from the injected clock). A failed round goes to `onError` and the loop
 * goes on. `stop()` wakes a pause at once and resolves after the round in progress.
 */
export class BackgroundLoop {
  private running: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly round: () => Promise<boolean>,
    private readonly idleMs: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** True once `stop()` was called: a long round may end early. */
  get stopRequested(): boolean {
    return this.stopping;
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = (async () => {
      while (!this.stopping) {
        let busy = false;
        try {
          busy = await this.round();
        } catch (error) {
          this.onError(error);
        }
        if (!busy && !this.stopping) await this.pause();
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = null;
  }

  private pause(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.idleMs());
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
