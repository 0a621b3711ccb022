"""The built-in workflow templates: JSON files checked once when first asked for, then cached.

Built-ins live in `app/catalog/templates/*.json` (package data, one file per template, the file
name is its id). An install may add its own from the directory `FLOWDECK_TEMPLATES_DIR`. Each
file is checked as a document (`parse_template`) and its workflow as `POST /workflows` would
check it, filled with sample values (`check_document`); a file with problems stays out of the
gallery, is logged, and is listed in `Catalog.problems`.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from app.core.connection_refs import literal_secrets
from app.core.errors import Problem, ValidationFailed
from app.core.workflow_templates import TemplateDocument, fill, parse_template, sample_values
from app.services.workflow_defs import parse_definition

log = logging.getLogger(__name__)
PACKAGE_DIR = Path(__file__).resolve().parents[1] / "catalog" / "templates"
EXTRA_DIR_ENV = "FLOWDECK_TEMPLATES_DIR"
MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Catalog:
    templates: dict[str, TemplateDocument] = field(default_factory=dict)
    #: File name → the problems that kept it out.
    problems: dict[str, list[Problem]] = field(default_factory=dict)


def check_document(doc: TemplateDocument) -> list[Problem]:
    """The problems of the workflow a template makes (paths `workflow.…`): filled with sample
    values and validated like `POST /workflows`; a secret written in as text is one too."""
    problems = [
        Problem(f"workflow.{path}", "a secret written into the template: use a connection")
        for path in literal_secrets(doc.workflow)
    ]
    try:
        parse_definition(fill(doc, sample_values(doc)))
    except ValidationFailed as exc:
        problems += [Problem(f"workflow.{p.path}".rstrip("."), p.message) for p in exc.problems]
    return problems


def _read(path: Path) -> TemplateDocument:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValidationFailed([Problem("", f"larger than {MAX_FILE_BYTES:,} bytes")])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed([Problem("", f"not JSON: {exc}")]) from None
    doc = parse_template(data)
    problems = check_document(doc)
    if doc.id != path.stem:
        problems.append(Problem("id", f"must be the file's name, {path.stem!r}"))
    if problems:
        raise ValidationFailed(problems)
    return doc


def template_dirs() -> tuple[Path, ...]:
    extra = os.environ.get(EXTRA_DIR_ENV, "").strip()
    return (PACKAGE_DIR, Path(extra)) if extra else (PACKAGE_DIR,)


@functools.lru_cache(maxsize=4)
def _load(dirs: tuple[Path, ...]) -> Catalog:
    catalog = Catalog()
    for directory in dirs:
        for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
            try:
                doc = _read(path)
            except ValidationFailed as exc:
                log.warning("built-in template %s left out: %s", path.name, exc.message)
                catalog.problems[path.name] = exc.problems
                continue
            if doc.id in catalog.templates:
                message = "another built-in template has this id"
                catalog.problems[path.name] = [Problem("id", message)]
                continue
            catalog.templates[doc.id] = doc
    return catalog


def load_catalog() -> Catalog:
    """The built-in templates (checked and cached per set of directories)."""
    return _load(template_dirs())


def builtins() -> dict[str, TemplateDocument]:
    return load_catalog().templates
