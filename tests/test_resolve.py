"""slant.resolve: one lookup for model names and folders, the shipped data and the corpus root.

The installed-wheel side of the same lookup is checked by .ci/check_install (a fresh venv, `pip install .`)."""

from __future__ import annotations

import glob
import subprocess
import tomllib
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slant import resolve
from slant.cli import app
from slant.resolve import ModelNotFoundError, data_path, data_root, model_folder, shipped_dir

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLANT_MODEL", raising=False)
    monkeypatch.delenv("SLANT_DATA", raising=False)


def fake_model(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}", encoding="utf-8")
    return folder


def test_in_a_checkout_the_shipped_folders_are_the_repositorys() -> None:
    assert resolve.checkout_dir() == REPO
    assert shipped_dir("model") == REPO / "model"
    assert shipped_dir("data") == REPO / "data"
    assert data_path("taxonomy.json") == REPO / "data" / "taxonomy.json"
    assert resolve.annotation_dir() == REPO / "data" / "annotations"


def test_names_and_the_default() -> None:
    assert model_folder(None) == model_folder("default") == REPO / "model"
    assert model_folder("accurate") == model_folder(Path("accurate")) == REPO / "model" / "accurate"
    assert (model_folder("accurate") / "config.json").is_file()


def test_a_folder_is_returned_as_given(tmp_path: Path) -> None:
    folder = fake_model(tmp_path / "mine")
    assert model_folder(folder) == folder
    assert model_folder(str(folder)) == folder


def test_slant_model_names_a_folder_or_a_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = fake_model(tmp_path / "env-model")
    monkeypatch.setenv("SLANT_MODEL", str(folder))
    assert model_folder(None) == folder
    assert model_folder("default") == REPO / "model"  # a name is not overridden by the environment
    monkeypatch.setenv("SLANT_MODEL", "accurate")
    assert model_folder(None) == REPO / "model" / "accurate"
    monkeypatch.setenv("SLANT_MODEL", str(tmp_path / "gone"))
    with pytest.raises(ModelNotFoundError, match=r"gone \(from \$SLANT_MODEL\): no such folder"):
        model_folder(None)


def test_a_folder_without_config_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=f"no slant model at {tmp_path}: .*config.json is missing"):
        model_folder(tmp_path)
    with pytest.raises(ModelNotFoundError, match="no such folder"):
        model_folder(tmp_path / "nothing")


def test_score_refuses_a_bad_model_before_reading_anything(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Some text.", encoding="utf-8")
    args = ["score", str(tmp_path / "a.txt"), "--out", str(tmp_path / "out"), "--model", str(tmp_path / "none")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "no slant model at" in result.output and "none" in result.output
    assert not (tmp_path / "out").exists()


def test_data_root_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert data_root() == REPO.parent / "shared" / "datasets"  # beside the checkout
    monkeypatch.setenv("SLANT_DATA", str(tmp_path / "env"))
    assert data_root() == tmp_path / "env"
    assert data_root(tmp_path / "flag") == tmp_path / "flag"
    monkeypatch.delenv("SLANT_DATA")
    monkeypatch.setattr(resolve, "checkout_dir", lambda: None)  # an installed package: no checkout
    monkeypatch.chdir(tmp_path)
    assert data_root() == tmp_path.parent / "shared" / "datasets"


def test_annotations_outside_a_checkout_are_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolve, "data_path", lambda *parts: tmp_path.joinpath(*parts))
    with pytest.raises(FileNotFoundError, match="not with the installed package"):
        resolve.annotation_dir()


def test_old_names_warn_and_agree() -> None:
    from slant import config

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert config.data_root() == data_root()  # kept as is: many callers
    with pytest.warns(DeprecationWarning, match="slant.resolve"):
        assert shipped_dir("model") == config.DEFAULT_MODEL_DIR
    with pytest.warns(DeprecationWarning):
        assert shipped_dir("data") == config.DATA_DIR
    with pytest.warns(DeprecationWarning):
        assert config.default_model_dir() == model_folder(None)
    with pytest.raises(AttributeError):
        config.NOT_A_NAME  # noqa: B018


def test_package_data_covers_every_shipped_file() -> None:
    """Every file git tracks in model/, and the data the code reads, match a package-data pattern of the wheel."""
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["slant"]
    packaged = {
        (REPO / "slant" / rel).resolve()
        for pattern in patterns
        for rel in glob.glob(pattern, root_dir=REPO / "slant", recursive=True)
    }
    tracked = subprocess.run(
        ["git", "ls-files", "model"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked, "git lists no file under model/"
    runtime = [data_path("taxonomy.json"), data_path("corpus_errata.json"), *data_path("lexicons").glob("*.txt")]
    missing = [p for p in [REPO / t for t in tracked] + runtime if p.resolve() not in packaged]
    assert not missing, f"not package data (add a pattern to pyproject.toml): {missing}"
    assert not [p for p in packaged if "annotations" in p.parts], "the hand-labelled sets are not package data"
