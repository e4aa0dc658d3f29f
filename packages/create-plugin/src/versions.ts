import pluginApiPackage from '@pipewright/plugin-api/package.json' with { type: 'json' }
import testingPackage from '@pipewright/testing/package.json' with { type: 'json' }

/**
 * Versions the generated package depends on. The Pipewright ones come from the packages this
 * generator was built with (inlined at build time), so a release of the generator always scaffolds
 * against the plugin-api it shipped with; the tools are the versions known to work on Node 20.
 */
export const VERSIONS = {
  pluginApi: pluginApiPackage.version,
  testing: testingPackage.version,
  vitest: '4.1.12',
  typescript: '5.9.3',
  tsup: '8.5.1',
  changesets: '2.31.1',
  typesNode: '20.19.43',
} as const
