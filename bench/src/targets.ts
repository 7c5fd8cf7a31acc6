import { printTable, verdict } from './report.js'

/** One of issue 2's targets, as measured in this run. */
export interface Target {
  readonly scenario: string
  readonly target: string
  readonly measured: string
  readonly pass: boolean
}

const targets: Target[] = []

/** Records a target's outcome for the closing summary and returns PASS or FAIL for a row. */
export function judge(target: Target): string {
  targets.push(target)
  return verdict(target.pass)
}

export function printTargets(): void {
  printTable(
    'Targets (issue 2): rolegate only',
    ['scenario', 'target', 'measured', 'result'],
    targets.map((t) => [t.scenario, t.target, t.measured, verdict(t.pass)]),
  )
  const failed = targets.filter((t) => !t.pass).length
  console.log(`\n${targets.length - failed} targets met, ${failed} missed`)
}
