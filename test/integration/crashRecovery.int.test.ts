import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitRepo } from '../support/gitRepo';
import { SERVICE_MAIN, startServiceProcess, stopServiceProcess } from '../support/serviceProcess';
import { SyncHarness } from '../support/syncHarness';

const REPO = 'acme/crash';
const FILES = 3_000;
const oldContent = (i: number) => `old content of file ${i}\n`;
const newContent = (i: number) => `new content of file ${i}, which is longer than the old one\n`.repeat(3);
const fileName = (i: number) => `scripts/part-${Math.floor(i / 500)}/file-${String(i).padStart(4, '0')}.txt`;

const startProcess = (env: NodeJS.ProcessEnv) => startServiceProcess({ ...env, LOG_LEVEL: 'info' });

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, pollMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return false;
}

describe('a process killed with SIGKILL during the commit step', () => {
  let h: SyncHarness;
  let repo: GitRepo;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    if (!existsSync(SERVICE_MAIN)) throw new Error('dist/ is missing: `npm test` builds it first (npm run build)');
    h = await SyncHarness.create();
    repo = await h.repo(REPO);
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await h?.dispose();
  });

  it('leaves no half-written file, and the folder converges after a restart', async () => {
    const oldHead = await repo.writeMany(
      Array.from({ length: FILES }, (_, i) => ({ path: fileName(i), content: oldContent(i) })),
      'old',
    );
    const connections = [{ scope: 'org-crash', repository: REPO }];
    await h.start(connections); // writes the connection to the tables through the same code path
    await h.stopHost();

    const env = h.env({ SYNC_LEASE_TTL_SECONDS: '3', SYNC_ARCHIVE_THRESHOLD: '64' });
    let proc = await startProcess(env);
    child = proc.child;
    h.host = undefined;
    const post = async (deliveryId: string) => {
      const { createHmac } = await import('node:crypto');
      const payload = JSON.stringify({
        ref: 'refs/heads/main',
        after: await repo.head(),
        deleted: false,
        repository: { full_name: REPO },
      });
      const response = await fetch(`${proc.url}/api/github/webhook/org-crash`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-github-delivery': deliveryId,
          'x-hub-signature-256': `sha256=${createHmac('sha256', h.webhookSecret).update(payload).digest('hex')}`,
        },
        body: payload,
      });
      expect(response.status).toBe(202);
    };
    await post('crash-old');
    const oldSynced = await waitFor(
      async () => (await h.differencesFromCommit('org-crash', REPO, oldHead)).length === 0,
      60_000,
      250,
    );
    expect(oldSynced).toBe(true);

    const newHead = await repo.writeMany(
      Array.from({ length: FILES }, (_, i) => ({ path: fileName(i), content: newContent(i) })),
      'new',
    );
    await post('crash-new');
    const firstFile = join(h.scopePath('org-crash'), fileName(0));
    const commitStarted = await waitFor(
      async () => (await readFile(firstFile, 'utf8').catch(() => '')) === newContent(0),
      60_000,
      2,
    );
    await stopServiceProcess(child, 'SIGKILL');
    expect(commitStarted).toBe(true);

    // Right after the kill: each file is wholly old or wholly new, and no temp file sits in the scope folder.
    let stillOld = 0;
    for (let i = 0; i < FILES; i++) {
      const content = await readFile(join(h.scopePath('org-crash'), fileName(i)), 'utf8');
      expect([oldContent(i), newContent(i)]).toContain(content);
      if (content === oldContent(i)) stillOld++;
    }
    const listed = await readdir(h.scopePath('org-crash'), { recursive: true });
    expect(listed.filter((name) => /tmp|staging/i.test(name))).toEqual([]);
    console.info(`killed mid-commit with ${stillOld} of ${FILES} files still old`);

    // Restart: the start-up reconcile waits out the dead holder's lease, then converges.
    proc = await startProcess({ ...env, RECONCILE_ON_START: 'true' });
    child = proc.child;
    const converged = await waitFor(
      async () => (await h.differencesFromCommit('org-crash', REPO, newHead)).length === 0,
      60_000,
      250,
    );
    expect(converged).toBe(true);
    const runs = await h.runs('org-crash');
    expect(runs[0]).toMatchObject({ status: 'succeeded', commitSha: newHead });
    // The run the killed process left behind is closed, not shown as running forever.
    expect(runs.filter((run) => run.status === 'running')).toEqual([]);
    expect(runs.some((run) => run.error?.code === 'Abandoned')).toBe(true);
    expect(await stopServiceProcess(child)).toBe(0); // SIGTERM: a graceful stop
    child = undefined;
  }, 180_000);
});
