import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CLI_DIR, runCli } from '../run-cli.test-support.js'

/** Debian's chromium package; .ci/run installs it. */
const CHROMIUM = '/usr/bin/chromium'
const RESULTS = join(CLI_DIR, '..', '..', '.test-results')

interface PageSnapshot {
  /** Header row then one row per resource: `data-resource`, then the cells' texts. */
  readonly grid: string[][]
  readonly cells: {
    resource: string
    column: number
    text: string
    background: string
    outline: string
  }[]
  /** Left padding of each resource's header cell, in pixels. */
  readonly indent: Record<string, number>
  readonly notes: string[]
}

const READ_PAGE = `(() => {
  const rows = [...document.querySelectorAll('tbody tr')]
  const header = [...document.querySelectorAll('thead th')].map((th) => th.textContent)
  return {
    grid: [header, ...rows.map((tr) => [tr.dataset.resource, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)])],
    cells: rows.flatMap((tr) => [...tr.querySelectorAll('td')].map((td, column) => ({
      resource: tr.dataset.resource,
      column,
      text: td.textContent,
      background: getComputedStyle(td).backgroundColor,
      outline: getComputedStyle(td).outlineStyle,
    }))),
    indent: Object.fromEntries(rows.map((tr) => [tr.dataset.resource, parseFloat(getComputedStyle(tr.querySelector('th')).paddingLeft)])),
    notes: [...document.querySelectorAll('section.notes li')].map((li) => li.textContent),
  }
})()`

const colour = { rw: 'rgb(210, 244, 220)', r: 'rgb(219, 234, 254)', none: 'rgb(246, 248, 250)' }

describe('the HTML matrix in headless Chromium', { timeout: 60_000 }, () => {
  let browser: Browser
  let html: string
  let csv: string[][]

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`)
    const page = await runCli(['matrix', 'fixtures/billwerk.yaml', '--format', 'html'])
    expect(page.code).toBe(0)
    html = page.stdout
    const table = await runCli(['matrix', 'fixtures/billwerk.yaml', '--format', 'csv'])
    csv = table.stdout
      .trimEnd()
      .split('\r\n')
      .map((line) => line.split(','))
    await mkdir(RESULTS, { recursive: true })
    await writeFile(join(RESULTS, 'matrix.html'), html)
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  })

  afterAll(async () => {
    await browser.close()
  })

  test('is one self-contained page: inline CSS, no scripts, nothing fetched', () => {
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/)
    expect(html).toContain('<style>')
    expect(html).not.toMatch(/<script|<link|\ssrc=|\shref=|url\(/i)
  })

  test('shows the same cells as the CSV, with the tree indented and a colour per level', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } })
    const requests: string[] = []
    page.on('request', (request) => requests.push(request.url()))
    const url = pathToFileURL(join(RESULTS, 'matrix.html')).href
    await page.goto(url)
    expect(requests).toEqual([url])

    // The repository's TypeScript has no DOM types, so the page is read by one script whose
    // result is typed here.
    const seen = await page.evaluate<PageSnapshot>(READ_PAGE)
    expect(seen.grid).toEqual(csv)

    const at = (resource: string, role: string) => {
      const column = csv[0]?.indexOf(role) ?? -1
      return seen.cells.find((c) => c.resource === resource && c.column === column - 1)
    }
    expect(at('settings.taxes', 'finance')).toMatchObject({ text: 'rw', background: colour.rw })
    expect(at('kpi_charts', 'admin')).toMatchObject({ text: 'r', background: colour.r })
    expect(at('settings.webhooks', 'products')).toMatchObject({
      text: '-',
      background: colour.none,
    })
    expect(at('profile', 'self_service')).toMatchObject({ text: 'rw*', outline: 'dashed' })
    expect(at('profile', 'admin')).toMatchObject({ text: '-', outline: 'none' })

    expect(seen.indent['settings']).toBe(10)
    expect(seen.indent['settings.company']).toBe(32)
    expect(seen.indent['logs.audit_log']).toBe(32)
    expect(seen.notes).toEqual(['profile × self_service: rw only when "self" holds'])

    // For people reading CI's artifacts, not an assertion: the checks above are the test.
    await page.screenshot({ path: join(RESULTS, 'matrix.png'), fullPage: true })
    await page.close()
  })
})
