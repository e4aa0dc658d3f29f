import { pipewrightBuild } from '../../tsup.shared.ts'

// The spawner helper is its own small file: forked by the local executor, next to index.js.
export default pipewrightBuild({ entry: { index: 'src/index.ts', 'spawner-child': 'src/exec/spawner-child.ts' } })
