/** One curl line of a start-up banner in the form `  <status>  curl -i -X <METHOD> <url> -H '…' -d '…'`. */
export interface BannerCurl {
  /** The status the banner promises. */
  readonly status: number
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** The `-d` payload, if any. */
  readonly body: string | undefined
}

const LINE =
  /^ {2}(\d{3}) {2}curl -i -X ([A-Z]+) (http:\/\/\S+)((?: -H '[^']*')*)(?: -d '([^']*)')?$/

/**
 * The curl lines of a banner (the Koa examples' `demoGuide`), parsed the way a shell would run
 * them. Throws on a line that starts like one but does not parse, so a broken line fails the test.
 */
export function bannerCurlLines(output: string): BannerCurl[] {
  return output
    .split('\n')
    .filter((line) => /^ {2}\d{3} {2}curl /.test(line))
    .map((line) => {
      const match = LINE.exec(line)
      if (match === null) throw new Error(`unparsable curl line: ${line}`)
      const [, status, method, url, headers = '', body] = match
      return {
        status: Number(status),
        method: method as string,
        url: url as string,
        headers: Object.fromEntries(
          [...headers.matchAll(/-H '([^:']+): ([^']*)'/g)].map((m) => [
            m[1] as string,
            m[2] as string,
          ]),
        ),
        body,
      }
    })
}

/** Sends a banner line with fetch, as curl would; resolves to the status. */
export async function runBannerCurl({ method, url, headers, body }: BannerCurl): Promise<number> {
  const init: RequestInit = body === undefined ? { method, headers } : { method, headers, body }
  return (await fetch(url, init)).status
}
