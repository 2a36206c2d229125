"""Find the input documents (lazily) and read each one's text exactly, or say why it can't be read.

Discovery never opens a file: it only lists folders, so counting the inputs for the progress bar is cheap
and the run holds no more than one batch of texts at a time. Every problem with one input becomes a
:class:`Document` with an ``error`` (an error row in the results), never an exception that stops the run.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
DEFAULT_MAX_BYTES = 10_000_000


@dataclass(frozen=True, slots=True)
class Source:
    """One input found by discovery. ``error`` is set when discovery itself found it unusable (a loop)."""

    id: str  # path relative to the input root (posix separators); the file name for a file argument
    path: Path
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A source after reading: ``text`` is exactly what gets scored (extracted main text for HTML)."""

    id: str
    path: str
    text: str | None
    error: str | None = None
    extracted: bool = False  # True when text was extracted from HTML


def _matches(doc_id: str, globs: tuple[str, ...]) -> bool:
    if not globs:
        return True
    name = PurePosixPath(doc_id).name
    return any(fnmatch.fnmatchcase(doc_id, g) or fnmatch.fnmatchcase(name, g) for g in globs)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _walk(root: Path, globs: tuple[str, ...], skip: set[tuple[int, int]]) -> Iterator[Source]:
    """Depth-first, entries sorted by name (a stable order gives a stable spans.jsonl).

    Symlinked folders are followed, except one that points at a folder on the current path (a loop), which
    becomes an error row. ``skip`` holds folders never to enter (the output folder).
    """
    root_id = _identity(root)
    # Stack of (folder, relative posix prefix, identities of the folders from the root down to it).
    stack: list[tuple[Path, str, frozenset[tuple[int, int]]]] = [
        (root, "", frozenset({root_id}) if root_id else frozenset())
    ]
    while stack:
        folder, prefix, ancestors = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            doc_id = prefix.rstrip("/") or folder.name
            yield Source(doc_id, folder, f"{folder}: cannot list folder: {exc.strerror or exc}")
            continue
        subfolders: list[tuple[Path, str, frozenset[tuple[int, int]]]] = []
        for entry in entries:
            rel = prefix + entry.name
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                is_dir = False
            if is_dir:
                ident = _identity(path)
                if ident in skip:
                    continue
                if ident in ancestors:
                    target = os.path.realpath(path)
                    yield Source(
                        rel,
                        path,
                        f"{path}: directory loop (links to {target}, a parent folder); not followed",
                    )
                    continue
                subfolders.append((path, rel + "/", ancestors | {ident} if ident else ancestors))
            elif path.suffix.lower() in SUPPORTED_SUFFIXES and _matches(rel, globs):
                # Broken symlinks land here too (is_dir is False): reading reports them.
                yield Source(rel, path)
        # Reversed so the stack pops them in name order; files of a folder come before its subfolders.
        stack.extend(reversed(subfolders))


def discover(paths: Iterable[Path], globs: Iterable[str] = (), exclude: Iterable[Path] = ()) -> Iterator[Source]:
    """Every input document, lazily, in a stable order. A file argument is taken whatever its suffix."""
    globs = tuple(globs)
    skip = {ident for p in exclude if (ident := _identity(p))}
    seen: dict[str, Path] = {}
    for path in paths:
        if os.path.isdir(path):
            sources: Iterable[Source] = _walk(Path(path), globs, skip)
        elif _matches(path.name, globs):
            sources = [Source(path.name, Path(path))]
        else:
            sources = []
        for source in sources:
            if source.id in seen:
                # Two roots gave the same relative id: the later one can't share it (rows are keyed by id).
                first = seen[source.id]
                yield Source(
                    str(source.path),
                    source.path,
                    f"{source.path}: duplicate document id {source.id!r} (also {first})",
                )
                continue
            seen[source.id] = source.path
            yield source


def _describe_decode_error(path: Path, exc: UnicodeDecodeError) -> str:
    bad = exc.object[exc.start : exc.start + 1].hex()
    return f"{path}: not valid UTF-8 (byte 0x{bad} at offset {exc.start})"


def extract_html(html: str) -> str | None:
    """The main text of an HTML page (trafilatura drops navigation, scripts and boilerplate)."""
    import trafilatura  # imported on first HTML input: it is slow to import and many runs have none

    return trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True)


def read_document(source: Source, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one source: exact text (CRLF kept, nothing normalised), or a Document whose error says why not."""
    path, doc_id = source.path, source.id

    def failed(message: str) -> Document:
        return Document(doc_id, str(path), None, message)

    if source.error:
        return failed(source.error)
    try:
        st = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        if os.path.islink(path):
            return failed(f"{path}: broken symbolic link (target {os.readlink(path)} does not exist)")
        return failed(f"{path}: file not found")
    except OSError as exc:
        return failed(f"{path}: cannot stat: {exc.strerror or exc}")
    if stat.S_ISDIR(st.st_mode):
        return failed(f"{path}: is a folder")
    if not stat.S_ISREG(st.st_mode):
        # A FIFO or device would block or never end: only plain files are read.
        return failed(f"{path}: not a regular file")
    if st.st_size > max_bytes:
        return failed(f"{path}: file too large ({st.st_size:,} bytes, limit {max_bytes:,}; see --max-bytes)")
    if st.st_size == 0:
        return failed(f"{path}: empty file")
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)  # bounded even if the file grew since stat
    except PermissionError:
        return failed(f"{path}: permission denied")
    except OSError as exc:
        return failed(f"{path}: cannot read: {exc.strerror or exc}")
    if len(data) > max_bytes:
        return failed(f"{path}: file too large (over {max_bytes:,} bytes; see --max-bytes)")
    nul = data.find(b"\x00")
    if nul >= 0:
        return failed(f"{path}: binary file (NUL byte at offset {nul})")
    try:
        # Decoding the bytes (not text-mode reading) keeps every CR: offsets are into exactly this string.
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return failed(_describe_decode_error(path, exc))
    extracted = False
    if path.suffix.lower() in HTML_SUFFIXES:
        try:
            main = extract_html(text)
        except Exception as exc:  # trafilatura raises assorted parser errors on broken markup
            return failed(f"{path}: HTML extraction failed: {exc}")
        if not main or not main.strip():
            return failed(f"{path}: no main text found in the HTML")
        text, extracted = main, True
    if not text.strip():
        return failed(f"{path}: only whitespace")
    return Document(doc_id, str(path), text, None, extracted)
