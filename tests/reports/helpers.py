"""Reading the PDFs back as a person would: the text poppler's pdftotext extracts."""

import subprocess
import tempfile
from pathlib import Path


def pdf_text(
    content: bytes, *, first: int | None = None, last: int | None = None, layout: bool = False
) -> str:
    """The text; ``layout`` keeps each table row on one line."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "document.pdf"
        path.write_bytes(content)
        command = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else [])]
        if first:
            command += ["-f", str(first)]
        if last:
            command += ["-l", str(last)]
        result = subprocess.run(
            [*command, str(path), "-"], capture_output=True, check=True, timeout=60
        )
        return result.stdout.decode("utf-8")


def pdf_fonts(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "document.pdf"
        path.write_bytes(content)
        result = subprocess.run(
            ["pdffonts", str(path)], capture_output=True, check=True, timeout=60
        )
        return result.stdout.decode("utf-8")


def row_with(text: str, word: str) -> str:
    """The line of ``pdftotext -layout`` output holding ``word``, whitespace removed."""
    lines = [line for line in text.splitlines() if word in line]
    assert len(lines) == 1, (word, lines)
    return squash(lines[0])


def squash(text: str) -> str:
    """pdftotext breaks lines where the layout does; compare without whitespace."""
    return "".join(text.split())


def pdf_info(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "document.pdf"
        path.write_bytes(content)
        result = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, timeout=60)
        return result.stdout.decode("utf-8")
