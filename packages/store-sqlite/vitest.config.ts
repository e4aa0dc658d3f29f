import { pipewrightProject } from '../../vitest.shared'

export default pipewrightProject('store-sqlite')
