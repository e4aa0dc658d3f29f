import { describe, expect, it } from 'vitest'
import { findBaseImages } from './base-images.js'

describe('findBaseImages', () => {
  it('substitutes ARG defaults and build args, and skips scratch and earlier stages', () => {
    const dockerfile = [
      '# syntax=docker/dockerfile:1',
      'ARG BASE=local/busybox',
      'ARG TAG="latest"',
      'ARG TOOLS=${BASE}:tools',
      'FROM --platform=$BUILDPLATFORM ${BASE}:${TAG} AS Builder',
      'RUN echo hi',
      'FROM builder AS test',
      'FROM \\',
      '  scratch AS empty',
      'FROM $TOOLS',
      'FROM ${MISSING:-local/fallback:1}',
      'FROM registry.example.test:5000/team/app@sha256:' + 'a'.repeat(64),
      '',
    ].join('\n')
    expect(findBaseImages(dockerfile, {})).toEqual([
      { image: 'local/busybox:latest', line: 5 },
      { image: 'local/busybox:tools', line: 10 },
      { image: 'local/fallback:1', line: 11 },
      { image: `registry.example.test:5000/team/app@sha256:${'a'.repeat(64)}`, line: 12 },
    ])
    // MISSING is not declared before the first FROM, so the builder ignores its build arg there.
    expect(findBaseImages(dockerfile, { BASE: 'mirror/busybox', TAG: '1.36', MISSING: 'other:2' }).map((b) => b.image)).toEqual([
      'mirror/busybox:1.36',
      'mirror/busybox:tools',
      'local/fallback:1',
      `registry.example.test:5000/team/app@sha256:${'a'.repeat(64)}`,
    ])
  })

  it('stops at the target stage, as the classic builder does', () => {
    const dockerfile = ['FROM local/busybox:latest AS build', 'FROM build AS test', 'FROM absent/image:1 AS release', ''].join('\n')
    expect(findBaseImages(dockerfile, {}, 'TEST')).toEqual([{ image: 'local/busybox:latest', line: 1 }])
    expect(findBaseImages(dockerfile, {}).map((b) => b.image)).toEqual(['local/busybox:latest', 'absent/image:1'])
  })

  it('ignores build args for ARGs declared only inside a stage', () => {
    const dockerfile = ['FROM local/busybox:${TAG:-latest}', 'ARG TAG=inner', ''].join('\n')
    expect(findBaseImages(dockerfile, {})).toEqual([{ image: 'local/busybox:latest', line: 1 }])
  })
})
