import { describe, expect, test } from 'vitest'
import type { Cell } from '../cell.js'
import { renderCsv } from './render-csv.js'
import type { RightsMatrix } from './rights-matrix.js'

const cell = (text: string): Cell => ({
  text,
  level: 'none',
  conditionalLevel: 'none',
  conditional: false,
  plain: text,
  withConditions: text,
})

describe('renderCsv', () => {
  test('quotes fields holding commas, quotes or line breaks, and ends every record in CRLF', () => {
    // Policy names cannot hold these characters today; the renderer must not depend on that.
    const matrix: RightsMatrix = {
      actions: ['read', 'write'],
      columns: [{ role: 'a,b', description: undefined, type: undefined, note: undefined }],
      rows: [
        { path: 'x', depth: 0, segment: 'x', cells: [cell('say "hi"')], conditions: [[]] },
        { path: 'y', depth: 0, segment: 'y', cells: [cell('two\nlines')], conditions: [[]] },
      ],
      withDefaults: false,
      scope: undefined,
      defaults: [],
    }
    expect(renderCsv(matrix)).toBe('resource,"a,b"\r\nx,"say ""hi"""\r\ny,"two\nlines"\r\n')
  })
})
