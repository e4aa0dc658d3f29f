import { describeStoreConformance } from '@pipewright/store-api/conformance'
import { createPostgresStore } from '../src/index.js'
import { POSTGRES_URL, tempSchema } from './helpers.js'

describeStoreConformance('postgres', async () => {
  const { schema, cleanup } = await tempSchema()
  return { store: await createPostgresStore({ url: POSTGRES_URL, schema, poolSize: 4 }), cleanup }
})
