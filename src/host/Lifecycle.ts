/** Things to stop, in reverse order of start, when the process shuts down. */
export class Lifecycle {
  private readonly stoppers: Array<{ name: string; stop: () => Promise<void> }> = [];

  onStop(name: string, stop: () => Promise<void>): void {
    this.stoppers.push({ name, stop });
  }

  async stopAll(onError: (name: string, error: unknown) => void = () => undefined): Promise<void> {
    for (let stopper = this.stoppers.pop(); stopper !== undefined; stopper = this.stoppers.pop()) {
      const { name, stop } = stopper;
      try {
        await stop();
      } catch (error) {
        onError(name, error);
      }
    }
  }
}
