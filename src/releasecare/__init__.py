"""releasecare: which customers did this deploy touch, and what do we tell each of them?

Code map
========

Each step of the data flow, and the modules that hold it. Plain frozen dataclasses
(``domain``) flow between the steps; each step is a plain function over them.

git -> changes -> components
    ``gitrepo``      tags, release ranges, commits with their files (one ``git log``)
    ``versions``     the order of release tags (numbers, pre-releases)
    ``changes``      Conventional Commits, trailers, note fragments, visibility
    ``components``   repository paths to the components customers know; coverage
    ``pathpatterns`` whether a path pattern is one (the config checks each on load)
    ``scaffold``     ``init``'s proposals: components from folders and CODEOWNERS
    ``releases``     ``release scan``: releases, their changes and the commit graph
                     into the store

deploy logs -> deployments
    ``deploylogs/``  one reader per deploy log format and a registry (readers only)
    ``deployments``  record one deployment, ingest many, each environment's history
    ``forked``       run an iterator in a forked child and stream what it yields

customers
    ``customers``    the customer registry from TOML, JSON, CSV or a URL, validated
    ``registry``     ``customers import``: checked against the config, upserted

impact
    ``ancestry``     git's difference (added, removed) from the stored commit graph
    ``impact``       a deployment to its changes, components and touched customers;
                     ``find_impact`` is the one entry point
    ``timeline``     a customer's deployments, newest first

incidents
    ``incidents``    open, update (the lifecycle's transitions), list and show
    ``suspects``     the suspect deploy: candidates in the look-back window, nearest
                     first, explained; failed deploys and rollbacks near the start
    ``affected``     who an incident hurt (fixed when it resolves) and for how long
    ``incidentimports/``  one parser per tool's export (``statuspage``, ``pagerduty``)
                     into plain records, and a registry; pure, beside ``deploylogs/``
    ``incident_import``  ``incident import``: those records into the store, once per
                     tool and id, components mapped, suspects linked as at open
    ``incident_notices``  each affected customer's notice, a version per update

notices
    ``notices``      composes deployment -> impact -> rendered files -> stored notices
                     and notice versions (every format's content, for delivery)
    ``voice``        the customer's note for a change: subjects cleaned or held back
    ``voicelint/``   the voice rules over a note's words and sentences (loaded when
                     a note is first linted), their word lists, authors' names
                     (``voicelint/names.py``), measured by ``benchmarks/bench_voice.py``;
                     the incident messages' own rules (``voicelint/incident.py``)
    ``verdicts``     the lint's verdicts remembered, per process and in the user's
                     cache folder (impact asks about every visible commit subject)
    ``lint``         ``notes lint`` over a release, a range or fragment files;
                     ``notes check``, the pull-request gate; ``notes edit``
    ``annotations``  findings as a CI shows them (GitHub workflow commands)
    ``overrides``    a release manager's wording for a change, kept in the repository
    ``render``       each customer's notice: its context, then Markdown, HTML, text
                     and JSON, and the index of notices
    ``templating``   the sandboxed Jinja environment every rendering goes through
    ``mdescape``     untrusted text as inert Markdown (the templates' ``md`` filter)
    ``feeds``        each customer's Atom feed
    ``digests``      daily and weekly customers: what waits, what goes at once, and
                     the digest of the net difference since they were last told
    ``outdir``       the one writer under ``--out``: atomic, never through a link
    ``slugs``        safe, unique file names from untrusted ids
    ``outundo``      puts ``--out`` back as it was when a command fails after writing

the reliability report
    ``report``       DORA's four keys per environment and component, every failed deploy
                     counted with its reason; the period, the figures and their n
    ``deployfacts``  each deploy of a period: its change set over one shared commit
                     graph, rollbacks, what followed it, incidents, facing changes
    ``report_customers``  the customer view, worst first, and one customer's timeline
    ``reportview``   the report worded for its templates (txt, md, html) and charts
    ``charts``       small inline SVG charts drawn in Python, labelled, escaped

the CI steps
    ``pipeline``     ``after-deploy`` (scan, import, record, impact, render, in one
                     transaction) and ``before-deploy`` (the gate); their warnings
    ``ci``           the CI around us (GitHub Actions, GitLab CI): its variables, deploy
                     statuses in its words, step outputs, dotenv report, job summary file
    ``jobsummary``   the Markdown job summary of a CI step

shared by every step
    ``config``       ``releasecare.toml``: find, load, build each step's options
    ``configschema`` its tables' keys and types, and the checks of each value
    ``configsections``  ``[incidents]`` and ``[delivery]``: their settings, read
    ``options``      the options the config builds for steps heavy to import (change
                     types, CSV columns), so that loading it imports neither
                     ``changes`` (git) nor ``customers`` (HTTP, CSV)
    ``domain``       the dataclasses and constants every step shares
    ``errors``       the exception hierarchy with exit codes; "did you mean"
    ``documents``    the JSON documents of the output contract, with ``schema``
    ``http``         the one HTTP client: tokens, deadlines, retries, pages, redaction
    ``times``        ISO 8601 times, one policy for naive ones; durations from the
                     environment
    ``crashpoints``  named points where a test makes the process die (``kill -9``)
    ``jsontext``     JSON from others: every failure one error with its line
    ``jsonout``      our JSON documents as text (json.dumps's indent-2 output, faster)
    ``text``         small helpers for text a person reads
    ``store/``       SQLAlchemy models, engine, migrations, and the upserts that
                     let pipelines write at once (``store/upsert``); all SQL lives here
                     (``store/reads``: impact's queries over a bare DB-API cursor,
                     so ``impact`` on a SQLite file never imports SQLAlchemy;
                     ``store/reports``: the report's set-based queries)
    ``cli/``         click commands: parse, call one core function, print

delivery
    ``delivery/``    one module per channel and a registry (``CHANNELS``): ``webhook``
                     (Standard Webhooks signatures, the receiver's check, the signed
                     POST), ``slack`` (Block Kit messages), ``email`` (multipart
                     messages over SMTP); ``targets`` (what channels share),
                     ``outcome`` (what an attempt came to), ``plan`` (``notify``'s
                     request, its report, and the outbox rows added before
                     sending), ``outbox`` (``notify``: sending, retries). It asks
                     ``notices.deliverable`` for the notice versions and renders nothing

Who may import whom
-------------------

* ``cli/`` imports the core; nothing in the core imports ``cli/`` or click.
* Only ``store/`` runs SQL; only ``templating`` knows Jinja; only ``http``
  imports requests (delivery's channels go through it).
* ``domain``, ``errors``, ``times``, ``text``, ``versions``, ``jsontext``, ``jsonout``,
  ``options`` and ``pathpatterns`` import no other releasecare module but each other.
* No import cycle, counting imports inside functions and under TYPE_CHECKING
  (``tests/test_architecture.py``).
* Imports go at the top of a module, except in the CLI's command bodies (so that
  ``releasecare --help`` loads only click, the standard library and the CLI) and
  for heavy libraries (SQLAlchemy, GitPython, Jinja2, requests, markdown-it,
  pathspec, Alembic, Babel, css-inline, psycopg), which are imported where they
  are used; ruff enforces this (PLC0415, TID253 in ``pyproject.toml``).
"""

__version__ = "0.1.0"
