"""Build hook: the wheel carries the top-level templates/ folder as app/templates.

Everything else is declared in setup.cfg. The repository keeps templates/ at the top (the layout the
project documents), while an installed kiemtra must not add a generic top-level ``templates`` folder to
site-packages, so the build copies it inside the ``app`` package, where ``create_app()`` looks first.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithTemplates(build_py):
    """build_py that also copies templates/ into the built app package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's templates/ directly
            return
        for source in sorted((HERE / "templates").rglob("*")):
            if source.is_file() and "__pycache__" not in source.parts:
                target = Path(self.build_lib, "app", "templates", source.relative_to(HERE / "templates"))
                self.mkpath(str(target.parent))
                self.copy_file(str(source), str(target))


setup(cmdclass={"build_py": BuildPyWithTemplates})
