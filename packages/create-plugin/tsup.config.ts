import { pipewrightBuild } from '../../tsup.shared.ts'

export default pipewrightBuild({
  entry: ['src/index.ts', 'src/bin.ts'],
  dts: { entry: 'src/index.ts' },
  // The versions the generated package depends on are those this release was built with.
  noExternal: ['@pipewright/plugin-api/package.json', '@pipewright/testing/package.json'],
})
