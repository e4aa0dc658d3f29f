import { defineConfig, type Options } from 'tsup'

/** The build every @pipewright package shares: ESM + .d.ts for Node 20 from src/index.ts. */
export function pipewrightBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    ...overrides,
  })
}
