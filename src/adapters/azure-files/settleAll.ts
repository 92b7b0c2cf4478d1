/**
 * Marks a task's failure as observed at once: awaited later, after tasks before it, a rejection
 * without a handler meanwhile would be an unhandled rejection, which ends the Node process.
 */
export function observed<T>(task: Promise<T>): Promise<T> {
  markObserved(task);
  return task;
}

function markObserved(task: Promise<unknown>): void {
  task.catch(() => undefined);
}

/** Waits for every task (the list may grow meanwhile), then throws the first failure. */
export async function settleAll(tasks: Array<Promise<unknown>>): Promise<void> {
  for (const task of tasks) markObserved(task);
  let failure: unknown = null;
  for (let i = 0; i < tasks.length; i++) {
    try {
      await tasks[i];
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== null) throw failure;
}
