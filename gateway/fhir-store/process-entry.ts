/**
 * How to start the embedded store as its own process (`spawnService({ ...FHIR_STORE_PROCESS, env })`):
 * the entry point, the log line that says it is ready, and its Node flags.
 *
 * `--max-semi-space-size=8`: a young generation of 8 MB semi-spaces instead of V8's 16. Large
 * transaction Bundles leave tens of MB of short-lived garbage, and the default let it lift the
 * store's RSS past 300 MB at 100,000 resources (peak 308 MB → 294 MB in `bench/fhir-store.ts`,
 * throughput unchanged). The flag only works on the command line: `v8.setFlagsFromString` at
 * start-up was measured to change nothing.
 */
export const FHIR_STORE_PROCESS = {
  entry: 'gateway/fhir-store/main.ts',
  readyMessage: 'fhir store listening',
  nodeArgs: ['--max-semi-space-size=8'],
} as const;
