"""The layers of the code (README, "How the code is arranged") hold: import-linter's contracts
are kept, a forbidden import breaks them with a message naming it, and no module imports a
module that imports it back."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "bench", "workflows", "casework", "permissions")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_tree(target: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_the_layer_contracts_are_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "named"),
    [
        # the domain reaching up into the pages
        (
            "casework/selectors.py",
            "import workflows.pages.tasks",
            "casework.selectors -> workflows.pages.tasks",
        ),
        # access reading the domain's services
        (
            "permissions/policy.py",
            "import casework.services",
            "permissions.policy -> casework.services",
        ),
        # the engine reaching up into the API
        (
            "workflows/services.py",
            "import workflows.api.views",
            "workflows.services -> workflows.api.views",
        ),
        # one face using the other
        (
            "workflows/api/views.py",
            "import workflows.pages.cases",
            "workflows.api.views -> workflows.pages.cases",
        ),
        # the domain using the REST framework
        ("casework/rules.py", "import rest_framework", "casework.rules -> rest_framework"),
    ],
)
def test_a_forbidden_import_fails_and_is_named(tmp_path, module, bad_import, named):
    tree = _copy_tree(tmp_path)
    with open(tree / module, "a") as source:
        source.write(f"\n{bad_import}  # a layer broken on purpose\n")
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout or "broken" in result.stdout
    assert named in result.stdout, result.stdout


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_a_module_that_imports_it_back():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle(tmp_path, monkeypatch):
    """The check above can fail: a planted circle (domain rules -> engine -> domain) is found."""
    tree = _copy_tree(tmp_path)
    with open(tree / "casework/rules.py", "a") as source:
        source.write("\nimport workflows.routing  # a circle planted on purpose\n")
    monkeypatch.syspath_prepend(str(tree))
    for name in list(sys.modules):
        if name.split(".")[0] in PACKAGES:
            monkeypatch.delitem(sys.modules, name)
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    cycles = _cycles(graph)
    assert any("casework.rules" in c and "workflows.routing" in c for c in cycles), cycles
