"""The Jinja environment notices, digests, incident notices and reports render through.

Templates are looked up in the project's folder first, then the packaged defaults,
and an override can extend the default it replaces ("default:..."). User templates
are code from a folder anyone with the repository can change: they run sandboxed and
against a deadline, and whatever goes wrong in one is an ``InputError`` naming it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from releasecare.errors import InputError
from releasecare.mdescape import md_escape
from releasecare.times import seconds_from_env

# How long one template may take to render (RELEASECARE_RENDER_DEADLINE, seconds):
# a user template that loops for ever is stopped, naming it.
DEFAULT_RENDER_DEADLINE = 10.0
RENDER_DEADLINE_ENV = "RELEASECARE_RENDER_DEADLINE"
# The longest text one template may make (a multiplied string, a power).
MAX_OUTPUT = 10 * 1024 * 1024


class _TemplateTimeout(Exception):
    """A template ran past the render deadline."""


class Templates:
    """The Jinja environment: project overrides first, then the packaged defaults.

    User templates are code from a folder anyone with the repository can change, so
    they run sandboxed (no attributes of Python internals, ``range`` capped, huge
    strings and powers refused) and against a deadline; whatever goes wrong in one
    (a syntax error, an exception it raises, an include outside the folders, itself
    included for ever, bytes that are not UTF-8) is an ``InputError`` naming the
    template file and, when Jinja knows it, the line.
    """

    def __init__(self, template_dir: Path | None = None, *, deadline: float | None = None) -> None:
        import jinja2

        default = jinja2.FileSystemLoader(str(packaged_templates()))
        loaders: list[jinja2.BaseLoader] = []
        if template_dir is not None:
            if not template_dir.is_dir():
                raise InputError(
                    f"templates folder {template_dir} does not exist",
                    hint="fix `templates` in the config",
                )
            loaders.append(jinja2.FileSystemLoader(str(template_dir)))
        loaders += [jinja2.PrefixLoader({"default": default}, delimiter=":"), default]
        self.template_dir = template_dir
        self.deadline = deadline or seconds_from_env(RENDER_DEADLINE_ENV, DEFAULT_RENDER_DEADLINE)
        self.env = _sandbox()(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            autoescape=_autoescape,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["md"] = md_escape
        self._cache: dict[str, Any] = {}

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        try:
            with _deadline(self.deadline):
                template = self._cache.get(name)
                if template is None:
                    template = self._cache[name] = self.env.get_template(name)
                return str(template.render(context))
        except _TemplateTimeout as exc:
            raise self._error(name, exc, f"still rendering after {self.deadline:g} s") from None
        except RecursionError as exc:
            raise self._error(name, exc, "includes or extends itself without end") from None
        except UnicodeDecodeError as exc:
            raise self._error(name, exc, "is not UTF-8 text") from None
        except Exception as exc:  # whatever a template raises is the template's fault
            raise self._error(name, exc, _template_problem(exc)) from None

    def _error(self, name: str, exc: BaseException, problem: str) -> InputError:
        """``template FILE:LINE: problem``: the innermost template frame of ``exc``
        (Jinja rewrites tracebacks to point into templates), else what Jinja says."""
        where = getattr(exc, "filename", None) or self._file_of(name)
        line = getattr(exc, "lineno", None)
        traceback = exc.__traceback__
        while traceback is not None:
            filename = traceback.tb_frame.f_code.co_filename
            if filename.endswith(".j2"):
                where, line = filename, traceback.tb_lineno
            traceback = traceback.tb_next
        return InputError(
            f"template {where}{f':{line}' if line else ''}: {problem}",
            hint="fix the template (or remove it to use the default)",
        )

    def _file_of(self, name: str) -> str:
        if self.template_dir is not None and (self.template_dir / name).is_file():
            return str(self.template_dir / name)
        return name


def _template_problem(exc: Exception) -> str:
    import jinja2

    if isinstance(exc, jinja2.TemplateNotFound):
        return (
            f"includes {exc.name!r}, which is not a template in the templates folder or "
            "the defaults (a path outside them is never read)"
        )
    if isinstance(exc, jinja2.TemplateError):
        return exc.message or type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise ``_TemplateTimeout`` in the code inside after ``seconds`` (a real-time
    interval timer; only the main thread gets signals, so elsewhere it waits)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise _TemplateTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@cache
def _sandbox() -> Any:
    """A ``SandboxedEnvironment`` that also refuses to make huge strings and numbers."""
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    class Sandbox(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**" and isinstance(right, int) and abs(right) > 64:
                raise SecurityError("a power above 64 is not allowed in a template")
            if operator == "*" and isinstance(right, int) and isinstance(left, str | list):
                left, right = right, left
            repeats = operator == "*" and isinstance(left, int) and isinstance(right, str | list)
            if repeats and left * len(right) > MAX_OUTPUT:
                raise SecurityError("a text that long is not allowed in a template")
            return super().call_binop(context, operator, left, right)

    return Sandbox


def _autoescape(name: str | None) -> bool:
    return bool(name) and str(name).endswith((".html.j2", ".atom.j2"))


def packaged_templates() -> Path:
    """Templates inside the installed package, or the checkout's ``templates/``."""
    packaged = Path(str(resources.files("releasecare") / "templates"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"
