import { describe, expect, it } from 'vitest'
import { redactRedisUrl, redisOptions } from './connection.js'
import { labelSubsets, queueFor, validQueueName } from './protocol.js'

describe('queues by label', () => {
  it('names the queue of a label set the same whatever the order, and a worker listens on every subset of its labels', () => {
    expect(queueFor('default')).toBe('default')
    expect(queueFor('default', ['linux', 'docker'])).toBe(queueFor('default', ['docker', 'linux', 'docker']))
    expect(queueFor('default', ['linux', 'docker'])).toBe('default.on.docker+linux')
    const subsets = labelSubsets(['linux', 'docker']).map((s) => queueFor('ci', s))
    expect(subsets.sort()).toEqual(['ci', 'ci.on.docker', 'ci.on.docker+linux', 'ci.on.linux'])
    // A job needing a label the worker lacks is on a queue it does not listen on.
    expect(subsets).not.toContain(queueFor('ci', ['gpu']))
    expect(labelSubsets(['a', 'b', 'c', 'd', 'e', 'f'])).toHaveLength(64)
  })

  it('accepts queue names BullMQ can key, and parses Redis URLs without showing passwords', () => {
    expect(validQueueName('default')).toBe(true)
    expect(validQueueName('a:b')).toBe(false)
    expect(validQueueName('')).toBe(false)
    expect(redisOptions('redis://u:p%40ss@10.0.0.1:6380/2')).toMatchObject({ host: '10.0.0.1', port: 6380, username: 'u', password: 'p@ss', db: 2, maxRetriesPerRequest: null })
    expect(() => redisOptions('http://127.0.0.1')).toThrow(/not redis/)
    expect(redactRedisUrl('redis://u:secret@h:1')).toBe('redis://u:***@h:1')
  })
})
