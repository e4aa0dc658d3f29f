import { pipewrightBuild } from '../../tsup.shared.ts'

export default pipewrightBuild()
