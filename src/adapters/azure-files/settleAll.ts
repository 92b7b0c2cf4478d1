/**
 * Marks a task's failure as observed at once: awaited later, after tasks before it, a rejection
 * without a handler meanwhile would be an unhandled rejection, which ends the Node process.
 */
export function observed<T>(task: Promise<T>): Promise<T> {
  task.catch(() => undefined);
  return task;
}

/** Waits for every task (the list may grow meanwhile), then throws the first failure. */
export async function settleAll(tasks: Array<Promise<unknown>>): Promise<void> {
  tasks.forEach(observed);
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
