/** Layering rules (docs/design.md §2): functions -> domain -> ports <- adapters; host wires everything. */
module.exports = {
  forbidden: [
    {
      name: 'domain-imports-only-ports',
      comment: 'The domain is pure: it may import itself and the ports, nothing else (no SDK, no node:*, no framework).',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/(domain|ports)/' },
    },
    {
      name: 'domain-depends-on-metadata-roles',
      comment:
        'Use cases name the metadata roles they use (ConnectionRepo, SyncRunRepo, ManifestRepo, LeaseRepo, DeliveryRepo); the whole MetadataRepo is for adapters and the host.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/ports/MetadataRepo\\.ts$' },
    },
    {
      name: 'ports-import-nothing-outward',
      comment: 'Ports are interfaces: they may name domain types, never adapters, functions or hosts.',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { path: '^src/(adapters|functions|host)/' },
    },
    {
      name: 'ports-use-no-sdk',
      comment: 'Ports stay technology-free (their contract suites live in test/ports/contracts).',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled'] },
    },
    {
      name: 'shipped-code-has-no-test-code',
      comment:
        'What dist/src and the image ship never loads a test runner, a test double or a contract suite: those live under test/.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: ['^test/', '^node_modules/(vitest|@vitest|fast-check)/'] },
    },
    {
      name: 'functions-do-not-import-adapters',
      comment: 'Functions translate HTTP/queue input to use cases; adapters are chosen by the host.',
      severity: 'error',
      from: { path: '^src/functions/' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'functions-import-only-identifiers-of-the-host',
      comment:
        'Handlers translate; the host wires. Of the host, functions know only the service identifiers (and the Config type they name); the host registers the functions with the runtime (src/host/functionsApp.ts).',
      severity: 'error',
      from: { path: '^src/functions/' },
      to: { path: '^src/host/', pathNot: '^src/host/identifiers\\.ts$' },
    },
    {
      name: 'adapters-do-not-import-outer-layers',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: '^src/(functions|host)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { pathNot: '^src/(host|functions)/' } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '\\.test\\.ts$' },
  },
};
