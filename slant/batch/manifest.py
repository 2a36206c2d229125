"""``run.json``: which model and decoding profile scored an output folder, so a resume never mixes two.

``--resume`` skips documents already scored; if the model or profile changed since, the skipped rows and the
new ones would disagree silently. The manifest fingerprints the model's files (config, weights, rhetoric
classifiers) and records the profile; a resume with a different one is refused with both named.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

RUN_FILE = "run.json"
MODEL_FILES = ("config.json", "weights.safetensors")


@dataclass(frozen=True)
class RunManifest:
    model: str
    model_fingerprint: str
    profile: str
    slant_version: str

    @classmethod
    def current(cls, model: str | Path | None, profile: str) -> RunManifest:
        from slant import __version__
        from slant.resolve import model_folder

        folder = model_folder(model)
        return cls(str(folder), model_fingerprint(folder), profile, __version__)

    def differences(self, other: RunManifest) -> list[str]:
        """What would make rows scored under ``other`` and under this manifest disagree."""
        changes = []
        if self.model_fingerprint != other.model_fingerprint:
            changes.append(
                f"model {other.model} ({other.model_fingerprint}) -> {self.model} ({self.model_fingerprint})"
            )
        if self.profile != other.profile:
            changes.append(f"profile {other.profile} -> {self.profile}")
        return changes


def model_fingerprint(folder: Path) -> str:
    """sha256 (first 16 hex digits) over the files that decide a model's output."""
    digest = hashlib.sha256()
    paths = [folder / name for name in MODEL_FILES] + sorted((folder / "rhetoric").glob("*.json"))
    for path in paths:
        if path.is_file():
            digest.update(path.name.encode("utf-8"))
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def read_manifest(out: Path) -> RunManifest | None:
    path = out / RUN_FILE
    if not path.is_file():
        return None
    try:
        return RunManifest(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path} is not a slant run manifest ({exc}): remove it or use --overwrite") from exc


def check_resume(out: Path, current: RunManifest) -> None:
    """Raise ValueError when ``out`` was scored with another model or profile than ``current``."""
    previous = read_manifest(out)
    if previous is None:
        return  # nothing recorded: an older output folder, or nothing scored yet
    changes = current.differences(previous)
    if changes:
        raise ValueError(
            f"{out} was scored with a different setup ({'; '.join(changes)}): resuming would mix their "
            "results; use --overwrite, another --out, or the original model and profile"
        )


def write_manifest(out: Path, manifest: RunManifest) -> None:
    path = out / RUN_FILE
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(manifest), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)  # atomic: a killed run never leaves half a manifest
