import { pipewrightBuild } from '../../tsup.shared.ts'

// The `pipewright` command starts many times a day: one bundled file (the engine, the store
// contract, the SQLite store's JavaScript and their pure-JS dependencies) resolves and loads far
// faster than hundreds of modules. Native modules stay external, and so do the first-party
// plugins, the agent and the PostgreSQL store, which are imported only when a command needs them.
const BUNDLED = [
  /^@pipewright\/(core|plugin-api|store-api|store-sqlite)$/,
  /^(commander|picocolors|log-update|reflect-metadata|zod|yaml|js-yaml|jsep|tsyringe|eventemitter3|semver|tinyglobby|picomatch|fdir|dotenv)(\/.*)?$/,
]

export default pipewrightBuild({
  // The engine forks its spawner helper from `spawner-child.js` next to the bundle.
  entry: { index: 'src/index.ts', bin: 'src/bin.ts', 'spawner-child': '../../packages/core/src/exec/spawner-child.ts' },
  noExternal: BUNDLED,
  // Everything else is imported from node_modules at run time (and declared in package.json).
  external: ['better-sqlite3', 'jiti', '@pipewright/store-postgres', '@pipewright/executor-bullmq', 'pg', 'bullmq', 'ioredis', /^@pipewright\/(agent|insight|server|plugin-(?!api$).*)$/, 'create-pipewright-plugin'],
  splitting: true,
  // Bundled CommonJS dependencies call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __pwCreateRequire } from 'node:module'; const require = __pwCreateRequire(import.meta.url);" },
})
