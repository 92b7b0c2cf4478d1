import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Every test file runs with its own temporary folder, removed after it; the web app is built
    // once before the files that serve it run in parallel (test/setup).
    globalSetup: ['test/setup/tempFolderRun.ts', 'test/setup/webAppBuild.ts'],
    setupFiles: ['test/setup/tempFolders.ts'],
    // The web app's component tests are their own project (happy-dom, React): client/vite.config.ts.
    projects: [{ extends: true, test: { name: 'service' } }, 'client/vite.config.ts'],
    // Integration tests start servers and child processes; keep the 2-core machine responsive.
    maxWorkers: 2,
    // The JSON report lets CI print one "N passed, N failed" line and notice a run with no tests.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
