"""The words the voice lint knows: jargon with plain alternatives, brand names, the
verbs and nouns of code work, vague words, and the words of blame and promise.

Words, not patterns: each list is matched against whole tokens (see notetext), with
the few endings an English word takes.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """The words of ``text``, split at white space."""
    return frozenset(text.split())


# Jargon and what to say instead, when there is a plain word for it. ``[voice]
# jargon`` replaces the terms; ``[voice] allow`` takes some out.
PLAIN_WORDS: dict[str, str] = {
    "refactor": "say what is better for you (faster, clearer, fewer errors)",
    "endpoint": "the API address, or what it lets you do",
    "api endpoint": "the API address, or what it lets you do",
    "null pointer": "say what you saw (an error, a blank page)",
    "npe": "say what you saw (an error, a blank page)",
    "stack trace": "error details",
    "stacktrace": "error details",
    "microservice": "the part of the product it runs",
    "pod": "server",
    "migration": "upgrade",
    "hotfix": "fix",
    "merge": "combine",
    "race condition": "say what you saw (for example, a change that was lost)",
    "deadlock": "say what you saw (for example, the app stopped responding)",
    "regression": "something that worked before and did not",
    "backend": "our servers",
    "back end": "our servers",
    "frontend": "the app, or the web page",
    "front end": "the app, or the web page",
    "mutex": "say what you saw",
    "segfault": "crash",
    "exception": "error",
    "cron": "scheduled task",
    "kubernetes": "our servers",
    "k8s": "our servers",
    "deploy": "release, or update",
    "rollout": "release",
    "repo": "repository",
    "websocket": "live connection",
    "web socket": "live connection",
    "feature flag": "a setting, or 'turned on for some accounts'",
    "failover": "switched to a backup",
    "partition": "part of our storage",
    "datastore": "storage",
    "data store": "storage",
    "preload script": "how the app starts",
    "content security policy": "security settings",
    "build pipeline": "how the app is built",
    "uuid": "ID",
    "anr": "the app stopped responding",
    "command-line flag": "command-line option",
    "system call": "say what now works",
    "round-trip": "request",
    "load balancer": "our servers",
    "error rate": "errors",
    "rpm": "Linux package (.rpm)",
    "dev tools": "developer tools",
    "ipc": "say what now works between the app's windows",
    "renderer process": "the app's window",
    "main process": "the app",
    "replica": "a copy of our data",
    "read replica": "a copy of our data",
    "shard": "part of our storage",
    "sharding": "how we store data",
    "latency": "delay, or slower than usual",
    "cdn": "our servers",
    "daemon": "background service",
    "garbage collection": "memory use",
    "heap": "memory",
    "connection pool": "connections",
    "thread pool": "say what now works",
    "client-side": "in the app",
    "server-side": "on our servers",
    "payload": "the data sent",
    "serialization": "saving data",
    "backfill": "filling in past data",
    "handler": "say what now works",
    "middleware": "say what now works",
    "jwt": "sign-in token",
    "systemd": "the service",
    "namespace": "say what now works",
    "idempotency": "say what now works",
    "semaphore": "say what now works",
    "electron": "the desktop app",
    "chromium": "the desktop app's browser engine",
    "throttling": "limits",
    "caching": "say what is faster",
    "replication": "copying data",
    "kv store": "storage",
    "key-value store": "storage",
    # Our infrastructure by its product names: the customer knows none of them.
    "db": "database, or say what the customer notices",
    "alloydb": "our database (or leave it out)",
    "cloud sql": "our database (or leave it out)",
    "spanner": "our database (or leave it out)",
    "bigtable": "our database (or leave it out)",
    "memorystore": "our servers (or leave it out)",
    "elasticache": "our servers (or leave it out)",
    "redis": "our servers (or leave it out)",
    "memcached": "our servers (or leave it out)",
    "kafka": "our servers (or leave it out)",
    "rabbitmq": "our servers (or leave it out)",
    "zookeeper": "our servers (or leave it out)",
    "etcd": "our servers (or leave it out)",
}
DEFAULT_JARGON = tuple(PLAIN_WORDS)

# Endings a jargon word may take and still be that word ("pods", "deployed"), never
# a longer word that starts with it ("podcast", "report", "deployment").
JARGON_ENDINGS = ("", "s", "es", "ed", "d", "ing", "er", "ers")

# Mixed-case names that are products, not code identifiers. ``[voice] allow``
# adds more.
BRANDS = words(
    "github gitlab bitbucket javascript typescript coffeescript applescript powershell "
    "postgresql mysql nosql graphql codeql sqlite mongodb dynamodb couchdb mariadb "
    "intellisense intellij pycharm webstorm phpstorm jetbrains onelogin onedrive onenote "
    "sharepoint powerpoint yubikey yubikeys linkedin youtube wordpress woocommerce paypal "
    "whatsapp wechat tiktok hubspot mailchimp sendgrid mailgun pagerduty opsgenie datadog "
    "newrelic servicenow zendesk freshdesk quickbooks freshbooks docusign dropbox "
    "soundcloud cloudflare digitalocean openai chatgpt openid oauth openshift openstack "
    "opensearch elasticsearch libreoffice openoffice duckduckgo lastpass keepass macbook "
    "thinkpad playstation airpods airplay airdrop airtag carplay facetime homekit "
    "healthkit testflight devops webassembly webkit webrtc webgl webview freebsd openbsd "
    "netbsd redhat sourceforge stackoverflow teamcity circleci travisci sonarqube "
    "appveyor browserstack saucelabs virtualbox vmware hashicorp cloudwatch bigquery "
    "autocad photoshop indesign mcafee iphone iphones ipad ipads ipados ipod icloud "
    "imessage itunes imac ios macos watchos tvos visionos ebay appimage appconfig airwatch "
    "mobileiron blackberry opengraph callkit firefox"
)
# Mixed-case names with these endings are products too ("DocHub", "NoteBook").
BRAND_ENDINGS = (
    "hub",
    "lab",
    "script",
    "sense",
    "book",
    "books",
    "pass",
    "point",
    "drive",
    "kit",
    "ware",
    "soft",
    "desk",
    "flow",
    "cloud",
    "suite",
    "studio",
    "ops",
)

# A ticket key's shape that is a standard's name: ISO-8601, UTF-8, RFC-3339.
STANDARDS = words(
    "iso utf ucs rfc sha md aes arm cve ghsa covid pci iec ieee ecma en din wcag tls ssl "
    "http ipv mp usb ps es ecmascript ddr gsm lte gpt hdr"
)

# Files that are code or configuration (a file name with one of these is a path).
CODE_EXTENSIONS = words(
    "py pyi ts tsx js jsx mjs cjs go rb java kt kts swift m mm c h cc cpp hpp cs rs php "
    "yaml yml json toml ini cfg conf sql sh bash zsh ps1 bat md rst txt lock xml gradle "
    "plist env css scss less html vue svelte proto tf ipynb"
)

# Hosts whose links lead into our source code or our tickets.
SOURCE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org")
TICKET_HOSTS = ("atlassian.net", "linear.app", "jira.", "youtrack.")

# Conventional Commits types and numpy-style tags: a note that starts with one is a
# commit message ("fix: ...", "chore(deps): ...", "MAINT: ...").
COMMIT_TYPES = words(
    "feat fix chore docs style refactor perf test tests build ci revert deps bug maint "
    "enh doc tst bld dep rel sty bench typ mnt wip release rev simd dev"
)

# Verbs that start a line about a version change: "Bump x from 1 to 2".
BUMP_VERBS = words(
    "bump bumped bumps update updated updates upgrade upgraded upgrades downgrade "
    "downgraded pin pinned unpin unpinned"
)
# Verbs that start a line about work on the code ("Use a dict literal").
CODE_VERBS = BUMP_VERBS | words(
    "use used refactor refactored rename renamed move moved extract extracted convert "
    "converted regenerate regenerated reformat reformatted lint linted clean cleaned "
    "simplify simplified tidy tidied restructure restructured reorganize reorganized "
    "reorganise reorganised split inline inlined vendor vendored deduplicate dedupe "
    "revert reverted replace replaced remove removed drop dropped add added improve "
    "improved make made migrate migrated port ported rewrite rewrote rework reworked "
    "delete deleted enable enabled disable disabled install installed fix fixed fixes"
)
# Nouns of code work, after a verb of code work at the start ("Use a dict literal",
# "regenerate go protos", "Improve tests"). Words a product may also have (methods,
# functions, modules, imports, bundles, macros) are left out.
CODE_NOUNS = words(
    "dict dicts literal literals generic generics class classes helper helpers util utils "
    "typings docstring docstrings tests mock mocks linter linters lint ci webpack "
    "codebase protos proto protobuf crlf lf whitespace dependency dependencies deps "
    "gitignore makefile dockerfile submodule submodules lockfile enum enums struct "
    "structs decorator decorators wrapper wrappers comprehension assertions logger "
    "toolchain mypy eslint prettier ruff pylint readme changelog kustomize skaffold "
    "terraform helm pre-commit"
)
# Two-word code nouns after such a verb.
CODE_PHRASES = frozenset(
    tuple(p.split())
    for p in (
        "base class",
        "docker image",
        "docker tag",
        "build scripts",
        "lock file",
        "type hints",
        "dead code",
        "code health",
        "deprecated code",
        "type annotations",
    )
)
# Anywhere in a note, these are about our code ("Improved code health").
DEVELOPER_WORDS = words("linter linters linting docstrings typings codebase pre-commit")
DEVELOPER_PHRASES = frozenset(
    tuple(p.split())
    for p in (
        "code health",
        "code base",
        "code quality",
        "code style",
        "dead code",
        "type hints",
        "unit tests",
        "integration tests",
        "e2e tests",
        "test suite",
        "test coverage",
        "tech debt",
        "technical debt",
        "line endings",
        "ci pipeline",
        "lint rules",
        "flaky tests",
        "flaky test",
        "unused imports",
        "unused variables",
        "unused code",
        "unused dependencies",
    )
)
# A dependency added, removed or changed at the start ("Removed the x dependency").
DEPENDENCY_VERBS = words(
    "add added remove removed drop dropped replace replaced update updated bump bumped "
    "upgrade upgraded pin pinned install installed vendor vendored"
)
DEPENDENCY_NOUNS = words("dependency dependencies deps lockfile submodule submodules")

# Words that say nothing by themselves (a note made only of these is content-free).
VAGUE_WORDS = words(
    "bug bugs fix fixes fixed fixing improvement improvements improve improved improving "
    "enhancement enhancements update updates updated change changes changed tweak tweaks "
    "tweaked cleanup clean cleaned up polish polished minor small smaller little tiny "
    "various several some many misc miscellaneous general overall other others few more "
    "stuff things thing bits performance stability reliability quality under hood typo "
    "typos wip review comments comment address addressed issue issues problem problems "
    "server-side client-side internal housekeeping maintenance chores silly quick trivial "
    "one ones stuff code work done ui ux usability experience cleanups fixups nit nits "
    "refinements adjustments corrections optimizations optimisations optimization "
    "optimisation bugfix bugfixes edits assorted numerous multiple couple routine behind "
    "scenes speed todo temp"
)
STOP_WORDS = words(
    "a an the and or of for to in on at with by from as is are was were be been it its "
    "this that these those"
)

# Nouns of what a customer types or gives, for the blame rule.
INPUT_NOUNS = words(
    "url urls link address password passwords coupon coupons code codes promocode promo "
    "option options date dates input inputs value values format formats file files email "
    "e-mail emails number numbers username credentials pin entry entries character "
    "characters key id phone zip postcode name data query selection"
)
BLAME_ADJECTIVES = words(
    "wrong invalid incorrect bad unsupported malformed improper erroneous illegal bogus "
    "mistyped misspelled"
)
BLAME_ADVERBS = words("wrongly incorrectly mistakenly improperly")
INPUT_VERBS = words(
    "enter entered enters entering type typed types typing give given gives giving "
    "provide provided provides providing add added adds adding change changing changed "
    "use used uses using import imported imports importing paste pasted pasting choose "
    "chose chosen choosing select selected selecting set setting get gets got try tries "
    "tried trying submit submitted submitting input inputs"
)

# What "our" names when a note is about our side: "our databases", "our runbooks".
OUR_THINGS = words(
    "team teams engineers engineering systems servers infrastructure databases database "
    "runbooks runbook investigation services datastore cluster clusters network "
    "monitoring alerting deployments deployment code codebase tests testing pipeline "
    "pipelines on-call postmortem process processes tooling providers provider vendor "
    "vendors upstream side end logs metrics staff developers operations"
)
# ... but not "our support team", "our community".
NOT_OUR_THINGS = words("support customer customers success help community")

# Defects named in code terms (technical-problem).
DEFECT_PHRASES = tuple(
    tuple(p.split())
    for p in (
        "race condition",
        "race conditions",
        "data race",
        "data races",
        "null pointer",
        "memory leak",
        "memory leaks",
        "infinite loop",
        "division by zero",
        "divide by zero",
        "stack overflow",
        "buffer overflow",
        "integer overflow",
        "stack trace",
        "type error",
        "segmentation fault",
        "core dump",
        "undefined behavior",
        "undefined behaviour",
        "when paginating",
        "thread safety",
        "dangling pointer",
        "use after free",
        "out of bounds",
        "threw an error",
        "throws an error",
        "threw an exception",
        "throws an exception",
        "internal server error",
        "infinite recursion",
        "slow queries",
        "database load",
        "connection pool",
        "cache invalidation",
        "stale cache",
        "cached data",
        "status code",
        "exit code",
        "statement timeout",
        "request timeout",
        "connection timeout",
        "gateway timeout",
        "database connections",
        "database locks",
        "lock contention",
        "out of memory",
        "memory pressure",
        "event loop",
        "main thread",
        "background thread",
    )
)
# After "because" in a sentence about a failure: the cause is inside our systems.
SYSTEM_NOUNS = words(
    "database databases cache cached query queries index indices token tokens config "
    "configuration process thread request requests response responses payload field "
    "variable pointer object worker job queue migration schema record records row rows "
    "results handler callback"
)
DEFECT_WORDS = words(
    "null nil nullptr npe nan segfault deadlock deadlocks mutex typeerror exception "
    "exceptions unhandled uncaught misuse comparator off-by-one out-of-bounds panic panics "
    "panicked n+1 regex regexp misconfigured misconfiguration overloaded overwhelmed "
    "uninitialized dereferenced deserialized deserialization invalidated mutated deallocated "
    "oom exhausted saturated unhealthy"
)
DEFECT_ADJECTIVES = words(
    "missing invalid incorrect wrong empty unexpected stale undefined corrupt corrupted "
    "malformed duplicate"
)
DEFECT_NOUNS = words(
    "value values parameter parameters argument arguments state pointer object comparator "
    "payload header headers config configuration reference transaction transactions"
)
ERROR_KINDS = words(
    "javascript js python runtime syntax type server-side 500 http sql parsing parse "
    "serialization reference cors 502 503 504"
)
