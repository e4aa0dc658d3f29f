import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  sourcemap: true,
  target: 'node20',
  // The versions the generated package depends on are those this release was built with.
  noExternal: ['@pipewright/plugin-api/package.json', '@pipewright/testing/package.json'],
})
