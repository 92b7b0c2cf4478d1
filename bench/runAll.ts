import { syncBench } from './syncBench';

/** `npm run bench`: every benchmark, each printing our figure beside a reference tool's. */
async function main(): Promise<void> {
  await syncBench();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
