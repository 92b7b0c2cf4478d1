import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { ApiClient } from '../api/ApiClient';
import type { SyncRun, SyncRunPage } from '../api/types';
import { AppContext, type AppState } from '../app/AppContext';
import { HistoryPage } from './HistoryPage';

const run = (index: number): SyncRun =>
  ({
    id: `run-${index}`,
    deliveryId: `delivery-${index}`,
    status: 'succeeded',
    trigger: 'push',
    commitSha: 'a'.repeat(40),
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 100 - index)).toISOString(),
    durationMs: 1000,
    counts: { written: 1, deleted: 0, unchanged: 0, skipped: 0, bytesWritten: 10 },
    sourceRequests: 1,
    skipped: [],
    lfsPointers: [],
  }) as unknown as SyncRun;

const firstPage: SyncRunPage = {
  items: Array.from({ length: 25 }, (_, index) => run(index)),
  continuationToken: 'page-2',
} as SyncRunPage;
const secondPage: SyncRunPage = { items: [run(25), run(26)] } as SyncRunPage;

describe('HistoryPage', () => {
  it('does not offer page 2 again after the last page was loaded and the first page is reloaded', async () => {
    const syncRuns = vi.fn(async (query: { continuationToken?: string }) =>
      query.continuationToken ? secondPage : firstPage,
    );
    const app = {
      api: { syncRuns } as unknown as ApiClient,
      scope: { scope: 'contoso', canWrite: true },
    } as unknown as AppState;
    render(
      <AppContext.Provider value={app}>
        <HistoryPage />
      </AppContext.Provider>,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Load older runs' }));
    await screen.findByText((_, element) => element?.getAttribute('data-run') === 'run-26');
    expect(screen.queryByRole('button', { name: 'Load older runs' })).toBeNull();

    // The poll (and Refresh) reload the first page, which still carries the page-2 token.
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Refresh' })));
    expect(syncRuns).toHaveBeenCalledTimes(3);
    expect(screen.queryByRole('button', { name: 'Load older runs' })).toBeNull();
    expect(document.querySelectorAll('tr[data-run]')).toHaveLength(27);
  });
});
