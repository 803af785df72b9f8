import { defineConfig } from 'vitest/config';

// One config for the 3D app (`npm run view`, `npm run build`) and for the tests (`npm test`).
export default defineConfig({
  root: '.',
  build: { outDir: 'dist/viz' },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
