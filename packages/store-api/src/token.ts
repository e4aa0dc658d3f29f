import { createToken } from '@pipewright/plugin-api'
import type { Store } from './types.js'

/** The engine's store in its DI container: register another under this token to replace it. */
export const STORE = createToken<Store>('engine.store')
