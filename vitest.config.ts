import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Run packages from source: see the "@mycel/source" export condition in each package.json.
    conditions: ['@mycel/source'],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Interop tests patch globalThis.WebSocket for hypha-rpc; keep each file in its own process.
    pool: 'forks',
  },
});
