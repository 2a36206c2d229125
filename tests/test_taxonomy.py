"""The canonical label set and its mapping to the four corpus schemes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import require_data

from slant import taxonomy
from slant.taxonomy import LABELS, SCHEMES, SEMEVAL2020_LABELS, convert, from_scheme, get, scheme_labels

SCHEME_FILES = {
    "semeval2020": "ptc-semeval2020/techniques/propaganda-techniques-names-semeval2020task11.txt",
    "emnlp2019": "ptc-semeval2020/techniques/propaganda-techniques-names.txt",
    "semeval2021": "semeval2021-task6/techniques_list_task1-2.txt",
    "semeval2023": "semeval2023-task3/techniques_subtask3.txt",
}
COUNTS = {"semeval2020": 14, "emnlp2019": 18, "semeval2021": 20, "semeval2023": 23}


def _file_names(root: Path, scheme: str) -> list[str]:
    path = require_data(root / SCHEME_FILES[scheme])
    # The 2021 list ends with a blank line; names themselves never have surrounding space.
    return [line for line in path.read_text(encoding="utf-8").split("\n") if line]


def test_scheme_counts() -> None:
    assert SCHEMES == ("semeval2020", "emnlp2019", "semeval2021", "semeval2023")
    for scheme, n in COUNTS.items():
        assert len(scheme_labels(scheme)) == n
        assert len(set(scheme_labels(scheme))) == n


@pytest.mark.data
@pytest.mark.parametrize("scheme", SCHEMES)
def test_scheme_files_round_trip(data_root: Path, scheme: str) -> None:
    names = _file_names(data_root, scheme)
    assert len(names) == COUNTS[scheme]
    assert list(scheme_labels(scheme)) == names  # same names, same order as the corpus file
    for name in names:
        label = from_scheme(name, scheme)
        assert label in LABELS
        assert convert(label, scheme) == name


def test_every_scheme_name_round_trips_without_data() -> None:
    for scheme in SCHEMES:
        for name in scheme_labels(scheme):
            assert convert(from_scheme(name, scheme), scheme) == name


def test_required_labels_and_fields() -> None:
    for required in ("loaded_language", "name_calling", "scare_quote", "unhedged_assertion"):
        assert required in LABELS
    assert len(set(LABELS)) == len(LABELS)
    for label_id in LABELS:
        label = get(label_id)
        assert label.id == label_id
        assert label.name and label.example
        assert label.definition.endswith(".")
        assert label.kind in ("technique", "group", "rhetoric")
        assert bool(label.members) == (label.kind == "group")
    assert get("scare_quote").kind == "rhetoric"
    assert get("unhedged_assertion").kind == "rhetoric"


def test_semeval2020_labels() -> None:
    assert len(SEMEVAL2020_LABELS) == 14
    assert SEMEVAL2020_LABELS[0] == "appeal_to_authority"
    assert SEMEVAL2020_LABELS[2] == "bandwagon_reductio_ad_hitlerum"
    assert SEMEVAL2020_LABELS[-1] == "whataboutism_straw_man_red_herring"
    assert [convert(x, "semeval2020") for x in SEMEVAL2020_LABELS] == list(scheme_labels("semeval2020"))


@pytest.mark.parametrize(
    ("name", "scheme", "label"),
    [
        ("Loaded_Language", "semeval2020", "loaded_language"),
        ("Name_Calling,Labeling", "semeval2020", "name_calling"),
        ("Name calling/Labeling", "semeval2021", "name_calling"),
        ("Name_Calling-Labeling", "semeval2023", "name_calling"),
        ("Conversation_Killer", "semeval2023", "thought_terminating_cliche"),
        ("Thought-terminating cliché", "semeval2021", "thought_terminating_cliche"),
        ("False_Dilemma-No_Choice", "semeval2023", "black_and_white_fallacy"),
        ("Black-and-white Fallacy/Dictatorship", "semeval2021", "black_and_white_fallacy"),
        ("Appeal_to_Popularity", "semeval2023", "bandwagon"),
        ("Bandwagon", "emnlp2019", "bandwagon"),
        ("Guilt_by_Association", "semeval2023", "reductio_ad_hitlerum"),
        ("Appeal_to_Values", "semeval2023", "glittering_generalities"),
        ("Questioning_the_Reputation", "semeval2023", "smears"),
        ("Straw_Men", "emnlp2019", "straw_man"),
        ("Misrepresentation of Someone's Position (Straw Man)", "semeval2021", "straw_man"),
        ("Presenting Irrelevant Data (Red Herring)", "semeval2021", "red_herring"),
        ("Bandwagon,Reductio_ad_hitlerum", "semeval2020", "bandwagon_reductio_ad_hitlerum"),
        ("Whataboutism,Straw_Men,Red_Herring", "semeval2020", "whataboutism_straw_man_red_herring"),
        ("Appeal_to_Hypocrisy", "semeval2023", "appeal_to_hypocrisy"),
    ],
)
def test_mapping_spot_checks(name: str, scheme: str, label: str) -> None:
    assert from_scheme(name, scheme) == label


def test_groups_are_explicit_and_members_convert_to_group() -> None:
    assert get("bandwagon_reductio_ad_hitlerum").members == ("bandwagon", "reductio_ad_hitlerum")
    assert get("whataboutism_straw_man_red_herring").members == ("whataboutism", "straw_man", "red_herring")
    assert convert("bandwagon", "semeval2020") == "Bandwagon,Reductio_ad_hitlerum"
    assert convert("reductio_ad_hitlerum", "semeval2020") == "Bandwagon,Reductio_ad_hitlerum"
    for member in ("whataboutism", "straw_man", "red_herring"):
        assert convert(member, "semeval2020") == "Whataboutism,Straw_Men,Red_Herring"
    # A group has no single counterpart in the finer schemes.
    assert convert("bandwagon_reductio_ad_hitlerum", "emnlp2019") is None
    assert convert("whataboutism_straw_man_red_herring", "semeval2023") is None


def test_labels_without_counterpart() -> None:
    assert convert("obfuscation", "semeval2020") is None  # dropped from SemEval-2020
    assert convert("obfuscation", "emnlp2019") == "Obfuscation,Intentional_Vagueness,Confusion"
    assert convert("appeal_to_hypocrisy", "emnlp2019") is None
    assert convert("smears", "emnlp2019") is None
    assert convert("appeal_to_time", "semeval2021") is None
    for scheme in SCHEMES:
        assert convert("scare_quote", scheme) is None
        assert convert("unhedged_assertion", scheme) is None


def test_errors() -> None:
    with pytest.raises(KeyError, match="no_such_label") as exc:
        get("no_such_label")
    assert "loaded_language" in str(exc.value)
    with pytest.raises(ValueError, match="unknown scheme 'semeval1999'"):
        convert("loaded_language", "semeval1999")
    with pytest.raises(ValueError, match="unknown label 'Loaded_Language'"):
        convert("Loaded_Language", "semeval2020")
    with pytest.raises(ValueError, match="unknown semeval2023 technique 'Loaded Language'"):
        from_scheme("Loaded Language", "semeval2023")
    with pytest.raises(ValueError, match="unknown scheme"):
        from_scheme("Doubt", "ptc")
    with pytest.raises(ValueError, match="unknown scheme"):
        scheme_labels("nope")


def test_json_equivalences_are_documented() -> None:
    import json

    with open(taxonomy.TAXONOMY_PATH, encoding="utf-8") as fh:
        raw = json.load(fh)
    for eq in raw["equivalences"]:
        assert eq["why"].strip()
        assert from_scheme(eq["name"], eq["scheme"]) == eq["label"]
