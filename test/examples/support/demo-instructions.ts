/** One curl line of an example's start-up message, with what the line above it says to expect. */
export interface PrintedCurl {
  /** The bearer token the line sends, if any. */
  readonly token: string | undefined
  /** Every header the line sends (`-H 'name: value'`), the authorization one included. */
  readonly headers: Readonly<Record<string, string>>
  /** Each URL of the line, with the status the message promises for it. */
  readonly requests: readonly { readonly url: string; readonly status: number }[]
}

/**
 * Reads the demo instructions an example's `server.ts` prints: each `curl` line follows a line
 * ending in `: /path 200, /other 403`. Throws when the two do not line up.
 */
export function printedCurls(output: string): PrintedCurl[] {
  const lines = output.split('\n').map((line) => line.trim())
  const curls: PrintedCurl[] = []
  lines.forEach((line, i) => {
    if (!line.startsWith('curl ')) return
    const promised = /: ((?:\/\S* \d{3}(?:, )?)+)(?: \(.*\))?$/.exec(lines[i - 1] ?? '')?.[1]
    const urls = line.match(/http:\/\/\S+/g) ?? []
    const statuses = (promised ?? '').split(', ').map((pair) => Number(pair.split(' ')[1]))
    if (promised === undefined || statuses.length !== urls.length)
      throw new Error(`no expectation above: ${line}`)
    curls.push({
      token: /authorization: Bearer (\S+)'/.exec(line)?.[1],
      headers: Object.fromEntries(
        [...line.matchAll(/-H '([^:']+): ([^']*)'/g)].map((m) => [m[1] as string, m[2] as string]),
      ),
      requests: urls.map((url, j) => ({ url, status: statuses[j] as number })),
    })
  })
  return curls
}

/** Runs a printed curl line with fetch: the status of each of its URLs. */
export async function runPrintedCurl({ headers, requests }: PrintedCurl): Promise<number[]> {
  const statuses: number[] = []
  for (const { url } of requests) statuses.push((await fetch(url, { headers })).status)
  return statuses
}
