import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the packages from source, never from a stale dist/. (Aliases, because Vitest
    // loads workspace packages found in node_modules as external modules, where export
    // conditions such as "@mycel/source" are not applied.)
    alias: {
      '@mycel/protocol': src('protocol'),
      '@mycel/server': src('server'),
      '@mycel/client': src('client'),
      '@mycel/cli': src('cli'),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Interop tests patch globalThis.WebSocket for hypha-rpc; keep each file in its own process.
    pool: 'forks',
  },
});
