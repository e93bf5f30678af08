"""Find, load and validate the project configuration.

``releasecare.toml`` is searched upward from the working directory; a
``[tool.releasecare]`` table in ``pyproject.toml`` counts too; ``--config PATH``
names one explicitly. Validation happens on load: every error names the file and
the key, and an unknown key comes with the near spelling of a known one.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from releasecare import configsections, overrides, times
from releasecare.configschema import (
    ITEM_SCHEMAS,
    KEY_PATTERN,
    SCHEMA,
    check_table,
    check_type,
    check_values,
    describe,
    seconds,
    share,
)
from releasecare.configsections import DeliverySettings, IncidentOptions
from releasecare.domain import Component
from releasecare.errors import ConfigError, InputError, did_you_mean, shown
from releasecare.options import INTERNAL_TYPES, VISIBLE_TYPES, ChangeOptions, CsvColumns
from releasecare.overrides import Override
from releasecare.voice import VoiceOptions

if TYPE_CHECKING:
    from releasecare.components import ComponentMatcher
    from releasecare.customers import SourceOptions

CONFIG_FILE = "releasecare.toml"
DEFAULT_DATABASE = "sqlite:///.releasecare/releasecare.db"


@dataclass(frozen=True)
class Environment:
    key: str
    name: str
    timezone: str = "UTC"


@dataclass(frozen=True)
class Config:
    """The validated configuration. ``root`` is the folder the config file lives in."""

    path: Path | None
    root: Path
    product: str = "Our product"
    product_url: str | None = None
    tag_pattern: str = "v*"
    release_order: str = "version"
    first_parent: bool = False
    changes_dir: str = "changes"
    internal_types: tuple[str, ...] = INTERNAL_TYPES
    visible_types: tuple[str, ...] = VISIBLE_TYPES
    component_changes_visible: bool = False
    database_url: str = DEFAULT_DATABASE
    busy_timeout: float | None = None  # seconds a SQLite writer waits for another
    components: Mapping[str, Component] = field(default_factory=dict)
    environments: Mapping[str, Environment] = field(default_factory=dict)
    import_codeowners: bool = False
    mapping_ignore: tuple[str, ...] = ()
    unmapped: str = "ignore"
    templates: Path | None = None
    voice: VoiceOptions = field(default_factory=VoiceOptions)
    # [customers]: the CSV column names and the token variable of an import.
    csv_columns: CsvColumns = field(default_factory=CsvColumns)
    customers_token_env: str | None = None
    # The largest share of stored customers one `customers import --prune` may remove
    # without --force (None: anything but all of them).
    prune_limit: float | None = None
    incidents: IncidentOptions = field(default_factory=IncidentOptions)
    # Where `after-deploy` imports the customers from (a file, made absolute against the
    # config's folder, or a URL); None: it imports none.
    customers_source: str | None = None
    # How far past now a recorded or ingested deploy's time may be (clocks disagree).
    future_tolerance_minutes: int = 60
    # Keys still read but to be replaced: one line each, for the CLI to show.
    deprecations: tuple[str, ...] = ()
    delivery: DeliverySettings = field(default_factory=DeliverySettings)

    def change_options(self) -> ChangeOptions:
        """How commits become changes: ``[release]`` types, fragments, first parent."""
        return ChangeOptions(
            internal_types=self.internal_types,
            visible_types=self.visible_types,
            changes_dir=self.changes_dir,
            component_changes_visible=self.component_changes_visible,
            first_parent=self.first_parent,
        )

    def scan_fingerprint(self) -> str:
        """What a scan's stored changes depend on (components, types, fragments): when
        it differs from the one stored, every release is scanned again."""
        settings = {
            "components": {k: list(c.paths) for k, c in sorted(self.components.items())},
            "import_codeowners": self.import_codeowners,
            "ignore": list(self.mapping_ignore),
            "types": [list(self.visible_types), list(self.internal_types)],
            "changes_dir": self.changes_dir,
            "first_parent": self.first_parent,
            "component_changes_visible": self.component_changes_visible,
        }
        # Imported here: hashlib loads OpenSSL (2-3 ms), which only a scan needs.
        import hashlib  # noqa: PLC0415

        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()

    def latest_allowed(self, now: datetime | None = None) -> datetime:
        """The latest time a deploy or an incident may claim: now, and the tolerance for
        clocks that run ahead (``[deployments] future_tolerance_minutes``)."""
        return (now or datetime.now(UTC)) + timedelta(minutes=self.future_tolerance_minutes)

    def component_matcher(self, repo: Path) -> ComponentMatcher:
        """Files to components as every command maps them (CODEOWNERS, ignores included)."""
        # Imported here: only the commands that map files need components (and scaffold,
        # for CODEOWNERS); impact reads the mapping the scan stored.
        from releasecare.components import project_matcher  # noqa: PLC0415

        return project_matcher(
            self.components,
            repo,
            import_codeowners=self.import_codeowners,
            ignore=self.mapping_ignore,
        )

    def overrides(self) -> dict[str, Override]:
        """The release manager's overrides in the working tree (``notes edit``)."""
        return overrides.load(self.overrides_dir)

    @property
    def overrides_dir(self) -> Path:
        return self.root / self.changes_dir / overrides.FOLDER

    def voice_options(self, authors: Iterable[str] = ()) -> VoiceOptions:
        """``[voice]`` options, knowing the names of the authors (never in a notice)."""
        return self.voice.with_authors(sorted({a for a in authors if a}))

    def customer_source_options(self, fmt: str | None = None) -> SourceOptions:
        """``[customers]`` options (CSV column names, token variable) for one import."""
        # Imported here: customers brings HTTP and CSV, which only an import needs.
        from releasecare.customers import SourceOptions  # noqa: PLC0415

        return SourceOptions(
            csv_columns=self.csv_columns, token_env=self.customers_token_env, format=fmt
        )

    def check_environment(self, environment: str) -> None:
        """An environment must be one the config names (when the config names any)."""
        if self.environments and environment not in self.environments:
            raise InputError(
                f"unknown environment {shown(environment)}",
                hint=did_you_mean(environment, self.environments)
                or f"known environments: {', '.join(self.environments)}",
            )

    def resolved_database_url(self) -> str:
        """The database URL with a relative SQLite path made relative to the config's folder."""
        return resolve_sqlite_path(self.database_url, self.root)


_SQLITE = "sqlite:///"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (relative to the cwd unless absolute), else None."""
    if not url.startswith(_SQLITE):
        return None
    rest = url[len(_SQLITE) :].partition("?")[0]
    rest = rest.removeprefix("file:")  # a SQLite URI (uri=true), e.g. for mode=ro
    return Path(rest) if rest and rest != ":memory:" else None


def resolve_sqlite_path(url: str, root: Path) -> str:
    """``url`` with a relative SQLite file made absolute against ``root``."""
    path = sqlite_file(url)
    if path is None or path.is_absolute():
        return url
    _, query_mark, query = url.partition("?")
    uri = "file:" if url[len(_SQLITE) :].startswith("file:") else ""
    return _SQLITE + uri + str((root / path).resolve()) + query_mark + query


def find_config(start: Path) -> Path | None:
    """The nearest ``releasecare.toml``, or ``pyproject.toml`` with ``[tool.releasecare]``."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _pyproject_has_section(pyproject):
            return pyproject
    return None


def _pyproject_has_section(path: Path) -> bool:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return False
    return "releasecare" in data.get("tool", {})


def load_config(path: Path | None = None, *, start: Path | None = None) -> Config:
    """Load the config at ``path``, or the one found upward from ``start`` (or cwd).

    With no config file anywhere, the defaults apply with ``root`` = ``start``.
    """
    if path is None:
        path = find_config((start or Path.cwd()).resolve())
        if path is None:
            return Config(path=None, root=(start or Path.cwd()).resolve())
    path = path.resolve()
    if path.is_dir():
        raise ConfigError(path, None, "is a folder, not a config file")
    if not path.is_file():
        raise ConfigError(path, None, "no such file", hint="run `releasecare init` to create one")
    try:
        # utf-8-sig: an editor on Windows may start the file with a byte order mark.
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(path, None, "not valid TOML here: nested too deeply") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot be read: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("releasecare")
        if not isinstance(data, dict):
            raise ConfigError(path, "tool.releasecare", "missing table")
    return parse_config(data, path)


def parse_config(data: Mapping[str, Any], path: Path) -> Config:
    """Validate raw TOML data into a Config; errors name ``path`` and the key."""
    known_tables = set(SCHEMA) - {""} | set(ITEM_SCHEMAS)
    for key, value in data.items():
        if key in SCHEMA[""]:
            check_type(path, key, value, SCHEMA[""][key])
        elif key not in known_tables:
            raise ConfigError(
                path, key, "unknown key", hint=did_you_mean(key, known_tables | set(SCHEMA[""]))
            )
        elif not isinstance(value, dict):
            raise ConfigError(path, key, f"must be a table ([{key}])")
    for table, keys in SCHEMA.items():
        if table:
            check_table(path, table, data.get(table, {}), keys)
    for table, keys in ITEM_SCHEMAS.items():
        for item, values in data.get(table, {}).items():
            if not isinstance(values, dict):
                raise ConfigError(path, f"{table}.{item}", f"must be a table ([{table}.{item}])")
            if not KEY_PATTERN.match(item):
                raise ConfigError(
                    path, f"{table}.{item}", "keys use letters, digits, '-', '_' and '.' only"
                )
            check_table(path, f"{table}.{item}", values, keys)

    product = data.get("product", {})
    release = data.get("release", {})
    components = {
        key: _component(path, key, values) for key, values in data.get("components", {}).items()
    }
    environments = {
        key: Environment(key, values.get("name", key), _zone(path, key, values))
        for key, values in data.get("environments", {}).items()
    }
    check_values(path, data)
    mapping = data.get("mapping", {})
    templates = data.get("templates")
    return Config(
        path=path,
        root=path.parent,
        product=product.get("name", "Our product"),
        product_url=product.get("url"),
        tag_pattern=release.get("tag_pattern", "v*"),
        release_order=release.get("order", "version"),
        first_parent=release.get("first_parent", False),
        changes_dir=release.get("changes_dir", "changes").strip("/"),
        internal_types=tuple(release.get("internal_types", INTERNAL_TYPES)),
        visible_types=tuple(release.get("visible_types", VISIBLE_TYPES)),
        component_changes_visible=release.get("component_changes_visible", False),
        database_url=data.get("database", {}).get("url", DEFAULT_DATABASE),
        busy_timeout=seconds(path, "database.busy_timeout", data.get("database", {})),
        components=components,
        environments=environments,
        import_codeowners=mapping.get("import_codeowners", False),
        mapping_ignore=tuple(mapping.get("ignore", ())),
        unmapped=data.get("impact", {}).get("unmapped", "ignore"),
        templates=(path.parent / templates) if templates else None,
        voice=_voice(data.get("voice", {}), data.get("notes", {})),
        csv_columns=_csv_columns(path, data.get("customers", {})),
        customers_token_env=data.get("customers", {}).get("token_env"),
        deprecations=_deprecations(path, data),
        prune_limit=share(path, "customers.prune_limit", data.get("customers", {})),
        customers_source=_source(path, data.get("customers", {}).get("source")),
        incidents=configsections.incidents(
            path, data.get("incidents", {}), components, environments
        ),
        future_tolerance_minutes=data.get("deployments", {}).get("future_tolerance_minutes", 60),
        delivery=configsections.delivery(path, data.get("delivery", {})),
    )


def _source(path: Path, source: str | None) -> str | None:
    """``[customers] source``: a URL as written, a file relative to the config's folder."""
    if not source or not source.strip():
        return None
    if "://" in source or source == "-":
        return source
    return str(path.parent / source)


def _zone(path: Path, key: str, values: Mapping[str, Any]) -> str:
    name: str = values.get("timezone", "UTC")
    try:
        times.check_zone(name)
    except times.UnknownZone as exc:
        raise ConfigError(
            path,
            f"environments.{key}.timezone",
            str(exc),
            hint=times.zone_hint(name) or "an IANA name such as Europe/Berlin",
        ) from None
    return name


def _deprecations(path: Path, data: Mapping[str, Any]) -> tuple[str, ...]:
    if "subject_fallback" not in data.get("voice", {}):
        return ()
    return (
        f"{path}: [voice] subject_fallback is deprecated; use [notes] source = "
        '"subjects" (true) or "notes" (false)',
    )


def _voice(settings: Mapping[str, Any], notes: Mapping[str, Any]) -> VoiceOptions:
    """``[voice]`` and ``[notes]`` (types already checked); only the keys given override
    the defaults. The old ``[voice] subject_fallback`` still sets the source, unless
    ``[notes] source`` does (see ``Config.deprecations``)."""
    defaults = VoiceOptions()
    fallback = settings.get("subject_fallback")
    source = "subjects" if fallback else "notes" if fallback is not None else defaults.source
    return VoiceOptions(
        internal_hosts=tuple(settings.get("internal_hosts", defaults.internal_hosts)),
        jargon=tuple(settings.get("jargon", defaults.jargon)),
        allow=tuple(settings.get("allow", defaults.allow)),
        max_length=settings.get("max_length", defaults.max_length),
        source=notes.get("source", source),
        dependency_updates=notes.get("dependency_updates", defaults.dependency_updates),
    )


def _csv_columns(path: Path, settings: Mapping[str, Any]) -> CsvColumns:
    """``[customers] csv_columns``: CSV column names, each key one of CsvColumns."""
    columns = settings.get("csv_columns", {})
    known = [f.name for f in fields(CsvColumns)]
    for key, value in columns.items():
        dotted = f"customers.csv_columns.{key}"
        if key not in known:
            raise ConfigError(path, dotted, "unknown column key", hint=did_you_mean(key, known))
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(path, dotted, f"must be a column name; got {describe(value)}")
    return CsvColumns(**columns)


def _component(path: Path, key: str, values: Mapping[str, Any]) -> Component:
    paths = values.get("paths")
    if not paths:
        raise ConfigError(
            path,
            f"components.{key}.paths",
            "a component needs at least one path pattern",
            hint='e.g. paths = ["services/checkout/"]',
        )
    return Component(
        key=key,
        name=values.get("name", key),
        description=values.get("description", ""),
        paths=tuple(paths),
    )
