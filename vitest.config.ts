import { defineConfig } from 'vitest/config'

// One root config, one project per package: each package keeps its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'plugins/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'examples/*/vitest.config.ts', 'tools/*/vitest.config.ts'],
    reporters: ['default', './tools/vitest-summary-reporter.ts'],
  },
})
