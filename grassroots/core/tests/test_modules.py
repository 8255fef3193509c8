"""The module registry and the layout it stands for: every domain app registers a module, and no domain app
imports the shell (`web`) or the API's base (`api`)."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from grassroots.core import modules
from grassroots.core.modules import HOUSEHOLD, MEMBER, ORG, SITE, STATION

# Apps below or above the domains: they register no module (but access, below the domains, has its accounts
# pages and registers them like a domain).
NOT_DOMAINS = {"core", "access", "rules", "ui", "web", "api", "demo"}
REGISTERING = {"access"}
FORBIDDEN = ("grassroots.web", "grassroots.api")


def domain_apps() -> list:
    return [c for c in apps.get_app_configs() if c.name.startswith("grassroots.") and c.label not in NOT_DOMAINS]


def test_every_domain_app_registers_a_module() -> None:
    missing = [c.label for c in domain_apps() if modules.module(c.label) is None]
    assert not missing, f"domain apps that register no module in AppConfig.ready(): {missing}"
    assert {m.label for m in modules.modules()} == {c.label for c in domain_apps()} | REGISTERING


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_no_domain_app_imports_web_or_api() -> None:
    offenders = []
    for config in [*domain_apps(), *(apps.get_app_config(label) for label in REGISTERING)]:
        for path in Path(config.path).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for name in _imports(path):
                if name.startswith(FORBIDDEN):
                    offenders.append(f"{path.relative_to(Path(config.path).parent)} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_modules_come_in_the_order_of_installed_apps() -> None:
    order = [c.label for c in apps.get_app_configs()]
    labels = [m.label for m in modules.modules()]
    assert labels == sorted(labels, key=order.index)


def test_every_registered_link_reverses() -> None:
    for where, args in ((ORG, ("S",)), (MEMBER, (1,)), (SITE, ()), (STATION, ("S",)), (HOUSEHOLD, (1,))):
        for module, link in modules.links(where):
            try:
                reverse(link.url_name, args=args)
            except NoReverseMatch as exc:  # pragma: no cover - the message is the point
                raise AssertionError(f"{module.label}: {link.url_name} ({where})") from exc


def test_every_module_url_conf_and_findings_source_import() -> None:
    from django.utils.module_loading import import_module

    from grassroots.rules.findings import sources

    for module in modules.modules():
        if module.urls:
            assert import_module(module.urls).urlpatterns, module.label
        if module.findings:
            assert module.label in sources() or any(name.startswith(module.label) for name in sources()), (
                f"{module.label} names a findings module that registers no source")


def test_a_module_registered_again_replaces_the_first(settings) -> None:
    before = modules.module("dues")
    assert before is not None
    try:
        modules.register(modules.Module(label="dues", title="x"))
        assert modules.module("dues").title == "x"
        assert len([m for m in modules.modules() if m.label == "dues"]) == 1
    finally:
        modules.register(before)


def test_every_panel_section_and_org_action_resolves() -> None:
    from django.template.loader import get_template
    from django.utils.module_loading import import_string

    panels, sections = modules.panels(), modules.sections()
    assert len({p.key for p in panels}) == len(panels) and len({s.key for s in sections}) == len(sections)
    for panel in panels:
        assert callable(import_string(panel.context)), panel.key
        get_template(panel.template)
    for section in sections:
        assert callable(import_string(section.gather)) and callable(import_string(section.write)), section.key
    for template in modules.org_actions():
        get_template(template)
