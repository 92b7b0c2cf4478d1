/** Things to stop, in reverse order of start, when the process shuts down. */
export class Lifecycle {
  private readonly stoppers: Array<{ name: string; stop: () => Promise<void> }> = [];

  onStop(name: string, stop: () => Promise<void>): void {
    this.stoppers.push({ name, stop });
  }

  async stopAll(onError: (name: string, error: unknown) => void = () => undefined): Promise<void> {
    while (this.stoppers.length > 0) {
      const { name, stop } = this.stoppers.pop()!;
      try {
        await stop();
      } catch (error) {
        onError(name, error);
      }
    }
  }
}
