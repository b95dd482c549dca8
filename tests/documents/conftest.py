"""Printed documents checked with the programs an office prints them with.

LibreOffice (Debian's libreoffice-writer-nogui) and poppler-utils are installed here where
missing; under CI=true a test fails, not skips, when a tool cannot be had.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

# executable -> Debian package
DEBIAN_PACKAGES = {
    "soffice": "libreoffice-writer-nogui",
    "pdftotext": "poppler-utils",
    "pdfinfo": "poppler-utils",
    "pdffonts": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "pdfimages": "poppler-utils",
}


def _install(package: str) -> None:
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(
        ["apt-get", "install", "-y", "--no-install-recommends", package],
        env=env,
        capture_output=True,
        timeout=900,
        check=False,
    )


def require_file(path: str, package: str) -> None:
    """A file a Debian package ships (a font), installed on the spot where missing."""
    if not Path(path).is_file():
        _install(package)
    if not Path(path).is_file():
        message = f"{path} ({package}) is not installed and could not be installed"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def require_tool(name: str) -> str:
    """The path of a Debian tool, installed on the spot where missing."""
    path = shutil.which(name)
    if path is None:
        _install(DEBIAN_PACKAGES[name])
        path = shutil.which(name)
    if path is None:
        message = f"{name} ({DEBIAN_PACKAGES[name]}) is not installed and could not be installed"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def docx_to_pdf(tmp_path_factory: pytest.TempPathFactory) -> Callable[[bytes, str], Path]:
    """Convert a .docx with LibreOffice (headless, a private profile) and return the PDF."""
    soffice = require_tool("soffice")
    profile = tmp_path_factory.mktemp("lo-profile")

    def convert(data: bytes, stem: str) -> Path:
        out = tmp_path_factory.mktemp("lo-out")
        source = out / f"{stem}.docx"
        source.write_bytes(data)
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(source),
            ],
            capture_output=True,
            timeout=180,
            check=True,
        )
        pdf = out / f"{stem}.pdf"
        assert pdf.exists(), "LibreOffice wrote no PDF"
        return pdf

    return convert


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run([require_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def pdf_text(pdf: Path, *, layout: bool = False) -> str:
    args = [require_tool("pdftotext"), *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout
