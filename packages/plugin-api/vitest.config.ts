import { pipewrightProject } from '../../vitest.shared.ts'

// types.test.ts is also type-checked by tsc, so a contract change that breaks plugins fails here.
export default pipewrightProject('plugin-api', {
  typecheck: { enabled: true, include: ['src/types.test.ts'], tsconfig: './tsconfig.json' },
})
