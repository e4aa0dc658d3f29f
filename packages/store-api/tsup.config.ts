import { pipewrightBuild } from '../../tsup.shared.ts'

// The conformance suite is its own entry: only store authors' tests import it (and vitest with it).
export default pipewrightBuild({ entry: ['src/index.ts', 'src/conformance.ts'], external: ['vitest'] })
