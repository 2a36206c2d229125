"""`slant classify`: the terminal view of one text, --json, --labels, standard input and bad inputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from slant import palette, taxonomy, terminal
from slant.batch.inputs import extract_html
from slant.cli import app
from slant.spans import Span

TEXT = (
    '\ufeffThe so-called "experts" lied again.\r\nThey always lie! 😀 Shameful, disgraceful traitors... '
    "anti-American thugs—really?!\r\n"
)
PAGE = (
    "<!DOCTYPE html><html><head><title>t</title><script>var tracker = 1;</script></head><body>"
    "<nav>Home | About</nav><article><h1>Outrage</h1><p>The radical elite wants to destroy our great nation, "
    "they will not stop. Everyone knows the truth: this corrupt scheme is a disaster for every hard-working "
    "family.</p><p>The so-called “experts” lied again, as they always do.</p></article></body></html>"
)
runner = CliRunner()


@pytest.fixture(scope="module")
def tagger():
    return terminal.load_tagger()  # the shipped model, loaded once for the module


@pytest.fixture(scope="module")
def text_spans(tagger) -> list[Span]:
    return tagger.classify(TEXT)


def classify(*args: str, input: bytes | None = None):
    """`slant classify ARGS` in-process, on a terminal 200 columns wide (so no line of the view wraps)."""
    return runner.invoke(app, ["classify", *args], input=input, env={"COLUMNS": "200"})


@pytest.fixture
def cli(tagger, monkeypatch):
    """``classify`` with the module's loaded model (the default model and profile; what --model and --profile
    resolve to is tested on its own)."""

    def load(name=None, profile="news"):
        assert name is None and profile == "news", "these tests use the shared default model only"
        return tagger

    monkeypatch.setattr(terminal, "load_tagger", load)
    return classify


def one_line_error(result, *needles: str) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


def test_the_view_shows_text_legend_and_scores(cli, tmp_path, text_spans) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(TEXT.encode("utf-8"))
    result = cli(str(path))
    assert result.exit_code == 0, result.output
    assert len(text_spans) >= 4
    out = result.stdout
    assert out.startswith(f"{path}: {len(text_spans)} spans ({len(TEXT):,} characters)")
    assert "Shameful, disgraceful traitors" in out  # the text itself
    for label in {s.label for s in text_spans}:  # legend: each label with its count
        assert f"{label} {sum(s.label == label for s in text_spans)}" in out
    for span in text_spans:  # the table: offsets and score of every span
        assert f"{span.start}-{span.end}" in out and f"{span.score:.2f}" in out


def test_json_gives_exact_offsets_from_stdin(cli, text_spans) -> None:
    result = cli("-", "--json", input=TEXT.encode("utf-8"))
    assert result.exit_code == 0, result.output
    spans = json.loads(result.stdout)
    assert spans == [json.loads(json.dumps(s.to_dict() | {"score": round(s.score, 4)})) for s in text_spans]
    for span in spans:  # offsets into the exact input: BOM and CRLF count as the characters they are
        assert TEXT[span["start"] : span["end"]] == span["text"]
        for cue in span.get("cues", []):
            assert TEXT[cue["start"] : cue["end"]] == cue["text"]
    assert result.stderr == ""


def test_labels_filter_comma_list_and_repeat(cli, text_spans) -> None:
    labels = sorted({s.label for s in text_spans})[:2]
    for args in (["--labels", ",".join(labels)], ["-l", labels[0], "--labels", labels[1]]):
        result = cli("-", "--json", *args, input=TEXT.encode("utf-8"))
        assert result.exit_code == 0, result.output
        got = json.loads(result.stdout)
        assert [(s["start"], s["label"]) for s in got] == [(s.start, s.label) for s in text_spans if s.label in labels]


def test_min_score_filter(cli, text_spans) -> None:
    result = cli("-", "--json", "--min-score", "0.5", input=TEXT.encode("utf-8"))
    got = json.loads(result.stdout)
    assert [(s["start"], s["label"]) for s in got] == [(s.start, s.label) for s in text_spans if s.score >= 0.5]
    assert 0 < len(got) < len(text_spans)


def test_an_unknown_label_lists_the_valid_ones(cli) -> None:
    result = cli("-", "--labels", "loaded_language,propaganda", input=b"text")
    assert result.exit_code == 2 and "Traceback" not in result.output
    message = " ".join(result.stderr.replace("│", " ").split())
    assert "unknown label propaganda" in message and "valid labels: " + ", ".join(taxonomy.LABELS[:3]) in message


def test_html_on_stdin_is_read_as_its_main_text(cli) -> None:
    result = cli("-", "--json", input=PAGE.encode("utf-8"))
    assert result.exit_code == 0, result.output
    main = extract_html(PAGE)
    assert "tracker" not in main and "Home | About" not in main
    spans = json.loads(result.stdout)
    assert spans
    assert all(main[s["start"] : s["end"]] == s["text"] for s in spans)
    view = cli("-", input=PAGE.encode("utf-8"))
    assert "main text extracted from HTML" in view.stdout.splitlines()[0]


def test_an_html_file_is_read_as_score_reads_it(cli, tmp_path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    result = cli(str(path), "--json")
    main = extract_html(PAGE)
    assert result.exit_code == 0 and all(main[s["start"] : s["end"]] == s["text"] for s in json.loads(result.stdout))


def test_control_characters_never_reach_the_terminal(cli) -> None:
    hostile = "They lied \x1b[2J again.\rShameful traitors!\x07\n"
    result = cli("-", input=hostile.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout and "\r" not in result.stdout
    assert "␛[2J" in result.stdout and "␍" in result.stdout


@pytest.mark.parametrize(
    ("data", "needles"),
    [
        (b"The \xff elite", ["<stdin>: not valid UTF-8 (byte 0xff at offset 4)"]),
        (b"", ["<stdin>: empty input"]),
        (b"abc\x00def", ["<stdin>: binary input (NUL byte at offset 3)"]),
        (b"  \r\n\t ", ["<stdin>: only whitespace"]),
    ],
)
def test_bad_stdin_is_one_line_naming_it(cli, data: bytes, needles: list[str]) -> None:
    one_line_error(cli("-", input=data), "slant classify:", *needles)


def test_bad_files_are_one_line_naming_them(cli, tmp_path) -> None:
    missing = tmp_path / "missing.txt"
    one_line_error(cli(str(missing)), str(missing), "file not found")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\x00\x01")
    one_line_error(cli(str(binary)), str(binary), "binary file")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\u00e9".encode("latin-1"))
    one_line_error(cli(str(latin1)), str(latin1), "not valid UTF-8")
    one_line_error(cli(str(tmp_path)), str(tmp_path), "is a folder")
    big = tmp_path / "big.txt"
    big.write_text("word " * 100, encoding="utf-8")
    one_line_error(cli(str(big), "--max-bytes", "100"), str(big), "too large")


def test_a_bad_model_or_profile_is_one_line(tmp_path) -> None:
    line = one_line_error(classify("-", "--model", str(tmp_path / "nowhere"), input=b"text"), "--model")
    assert str(tmp_path / "nowhere") in line
    one_line_error(classify("-", "--profile", "tweets", input=b"text"), "--profile", "tweets", "news")


def test_the_command_reads_a_pipe_and_prints_nothing_else() -> None:
    # The installed command as a shell runs it (`curl ... | slant classify -`): stdout is a pipe, not a terminal.
    code = "from slant.cli import app; app()"
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "SLANT_VERBOSE")}
    out = subprocess.run(
        [sys.executable, "-c", code, "classify", "-", "--labels", "scare_quote"],
        input=TEXT.encode("utf-8"),
        capture_output=True,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr.decode()
    stdout = out.stdout.decode("utf-8")
    assert stdout.startswith("<stdin>: ") and "scare_quote" in stdout and "loaded_language" not in stdout
    assert out.stderr.decode() == ""  # no library warnings, load reports or progress bars


# ---- the view's parts, without the model -------------------------------------------------------------------


def style_at(rendered, offset: int):
    return rendered.get_style_at_offset(Console(), offset)


def test_the_innermost_span_colours_a_character_and_overlaps_are_underlined() -> None:
    text = "They say the corrupt elite lies."
    outer = Span.from_text(text, 9, 31, "unhedged_assertion", 0.9)
    inner = Span.from_text(text, 13, 26, "loaded_language", 0.3)
    rendered = terminal.highlighted(text, [outer, inner])
    assert rendered.plain == text
    assert style_at(rendered, 5).bgcolor is None
    outer_style, inner_style = style_at(rendered, 10), style_at(rendered, 15)
    assert outer_style.bgcolor.name.upper() == palette.label_color("unhedged_assertion") and not outer_style.underline
    assert inner_style.bgcolor.name.upper() == palette.label_color("loaded_language") and inner_style.underline
    assert style_at(rendered, 28).bgcolor.name.upper() == palette.label_color("unhedged_assertion")


def test_visible_keeps_line_breaks_and_shows_controls() -> None:
    assert terminal.visible("a\r\nb\tc") == "a\nb\tc"
    assert terminal.visible("a\rb\x1bc\x7f\x85") == "a␍b␛c␡\ufffd"
    assert terminal.visible("😀 e\u0301") == "😀 e\u0301"


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 10)), max_size=8))
def test_segments_cover_the_text_with_the_spans_over_each_piece(raw) -> None:
    text = "x" * 40
    spans = [Span.from_text(text, a, min(a + n, 40), "doubt", 0.5) for a, n in raw]
    pieces = terminal.segments(text, spans)
    assert pieces[0][0] == 0 and pieces[-1][1] == 40
    assert all(a < b and b == pieces[i + 1][0] for i, (a, b, _) in enumerate(pieces[:-1]))
    for a, b, covering in pieces:
        assert sorted(map(id, covering)) == sorted(id(s) for s in spans if s.start <= a and b <= s.end)


def test_looks_like_html() -> None:
    assert terminal.looks_like_html("\ufeff \n<!doctype html><html>")
    assert terminal.looks_like_html("<HTML lang=en>")
    assert not terminal.looks_like_html("Breaking: <b>bold</b> claims")
