import { describeStoreConformance } from '../../core/tests/store-conformance.js'
import { createSqliteStore } from '../src/index.js'
import { tempDir } from './helpers.js'

describeStoreConformance('sqlite', async () => {
  const { dir, cleanup } = await tempDir()
  return { store: createSqliteStore({ dir }), cleanup }
})
