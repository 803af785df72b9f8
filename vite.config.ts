import { defineConfig } from 'vitest/config';

// One config for the 3D app (`npm run view`, `npm run build`; its root is viz/) and for the tests
// (`npm test`; root is the repository).
export default defineConfig({
  root: process.env.VITEST ? '.' : 'viz',
  publicDir: 'public',
  build: { outDir: '../dist/viz', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { fs: { allow: ['..'] } },
  test: {
    root: '.',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
