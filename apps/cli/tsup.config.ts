import { pipewrightBuild } from '../../tsup.shared.ts'

export default pipewrightBuild({ entry: ['src/index.ts', 'src/bin.ts'] })
