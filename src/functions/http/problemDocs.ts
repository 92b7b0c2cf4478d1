/** One documented error answer of a route: what it means and the codes it may carry. */
export interface ProblemsDoc {
  description: string;
  problems: string[];
}

export type ProblemsAlongside = Readonly<
  Record<number, { readonly description: string; readonly problems: readonly string[] }>
>;

/**
 * Route documentation for a use case's failure codes, grouped by the status each maps to and merged
 * into `alongside` (the route's other problems): a status both name lists the problems of both, as
 * one key can hold only one answer.
 */
export function problemsByStatus<C extends string>(
  codes: readonly C[],
  statusOf: Readonly<Record<C, number>>,
  describe: (status: number) => string,
  alongside: ProblemsAlongside = {},
): Record<number, ProblemsDoc> {
  const byStatus: Record<number, ProblemsDoc> = {};
  for (const [status, doc] of Object.entries(alongside))
    byStatus[Number(status)] = { description: doc.description, problems: [...doc.problems] };
  for (const code of codes) {
    const status = statusOf[code];
    const doc = byStatus[status] ?? { description: describe(status), problems: [] };
    doc.problems.push(code);
    byStatus[status] = doc;
  }
  return byStatus;
}
