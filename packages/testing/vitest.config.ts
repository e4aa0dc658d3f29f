import { pipewrightProject } from '../../vitest.shared'

export default pipewrightProject('testing')
