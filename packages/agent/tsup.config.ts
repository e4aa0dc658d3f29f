import { pipewrightBuild } from '../../tsup.shared.ts'

// main.ts is the agent process's entry: ensureAgent spawns `node dist/main.js`.
export default pipewrightBuild({ entry: ['src/index.ts', 'src/main.ts'] })
