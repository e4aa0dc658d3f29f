import { describeStoreConformance } from '@pipewright/store-api/conformance'
import { createSqliteStore } from '../src/index.js'
import { tempDir } from './helpers.js'

describeStoreConformance('sqlite', async () => {
  const { dir, cleanup } = await tempDir()
  return { store: createSqliteStore({ dir }), cleanup }
})
