import { pipewrightProject } from '../../vitest.shared'

export default pipewrightProject('plugin-git')
