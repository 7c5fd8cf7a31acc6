/** The usage text of each command, printed by `--help` and after a usage error. */
export const USAGE = {
  rolegate: `Usage: rolegate <command> [options]

Commands:
  check POLICY...      validate and lint policy files (JSON or YAML)
  matrix POLICY        render the effective rights matrix (md, html, csv)
  explain POLICY PERM  explain the decision for roles on a permission
  diff OLD NEW         list the permissions a policy change grants or removes, per role

Options:
  -h, --help           show help (also: rolegate <command> --help)
  -v, --version        show the version

Exit codes: 0 ok, 1 problems found (check), denied (explain) or changed (diff), 2 usage error
or a policy that cannot be loaded.
`,
  check: `Usage: rolegate check POLICY... [--conditions a,b] [--strict] [--format text|json]

Validates each policy with @rolegate/core, then lints it: roles nobody can act with, superuser or
exclusive default roles, conflicts involving default roles, grants shadowed by a superuser,
inherited roles that subject types rule out, and condition names.

  --conditions a,b     the condition names the application supplies; other names are errors
                       (without this flag each condition used is a warning)
  --strict             exit 1 on warnings too
  --format text|json   output format (default text)

Exit: 0 no errors, 1 errors (or warnings with --strict), 2 usage error.
`,
  matrix: `Usage: rolegate matrix POLICY [--format md|html|csv] [--with-defaults] [--roles a,b]
                      [--type T] [--scope S]

Renders resources down and roles across. A cell is rw (read and write), r (read only) or - (none),
with declared actions appended (rw+export); * marks rights that need a condition: rw* (only when it
holds), r / rw* (r without it, rw when it holds). Each column is a subject holding only that role.

  --format md|html|csv  output format (default md); html is one self-contained page
  --with-defaults       add the policy's default roles to every column
  --roles a,b           the columns to show, in this order (default: every role)
  --type T              subject type for every column (default: each role's first subjectTypes entry)
  --scope S             hold the roles in scope S and decide there

Exit: 0, or 2 on a usage error or a policy that cannot be loaded.
`,
  explain: `Usage: rolegate explain POLICY PERMISSION [--roles a,b] [--scope S] [--scope-roles c,d]
                       [--type T] [--assume cond,...] [--format text|json]

Prints core's decision for a subject holding the given roles (plus the policy's default roles),
with its reason, the role and the grant that decided it.

  --roles a,b          roles held everywhere
  --scope S            decide in scope S
  --scope-roles c,d    roles held in scope S only (needs --scope)
  --type T             the subject's type: one that a role names in subjectTypes
  --assume a,b         decide for a resource instance on which these conditions hold (and no other);
                       without it no instance is given, so conditional grants do not count
  --format text|json   output format (default text); json prints core's decision as is

The permission and the roles must be declared by the policy: an unknown one is a usage error.

Exit: 0 allowed, 1 denied, 2 usage error (an unknown permission or role too) or a policy that
cannot be loaded.
`,
  diff: `Usage: rolegate diff OLD NEW [--type T] [--format text|json]

Lists, role by role, every permission the change from OLD to NEW grants (+) or removes (-), as
core decides for a subject holding only that role, and changes to defaults, conflicts, exclusive,
superuser and subjectTypes.

  --type T             subject type for every role (default: each role's first subjectTypes entry)
  --format text|json   output format (default text)

Exit: 0 no changes, 1 changes, 2 usage error or a policy that cannot be loaded.
`,
} as const

/** A command name with a usage text. */
export type CommandName = Exclude<keyof typeof USAGE, 'rolegate'>
