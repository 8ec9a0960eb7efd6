"""Every knob of the engine says why it has its value (each ``Settings`` field carries a trailing comment),
and a ``Settings`` passed to ``clean`` is the one every stage reads."""
from __future__ import annotations

import ast
import dataclasses
import inspect
import io
import tokenize

import pytest

from heuristics import CleanError, clean, clean_many, settings


def field_comments() -> dict[str, str]:
    """Each field of ``Settings`` (by its source) and the comment ending the line its definition ends on."""
    source = inspect.getsource(settings)
    comments = {token.start[0]: token.string for token in tokenize.generate_tokens(io.StringIO(source).readline)
                if token.type == tokenize.COMMENT}
    cls = next(node for node in ast.parse(source).body
               if isinstance(node, ast.ClassDef) and node.name == "Settings")
    return {node.target.id: comments.get(node.end_lineno, "") for node in cls.body
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)}


def test_every_settings_field_has_its_reason():
    comments = field_comments()
    assert set(comments) == {f.name for f in dataclasses.fields(settings.Settings)}
    missing = [name for name, comment in comments.items() if len(comment.lstrip("#").split()) < 3]
    assert not missing, f"Settings fields without a reason (a trailing comment): {missing}"


# ---------------------------------------------------------------- a passed Settings reaches every stage

GERMAN = ("Der Gemeinderat hat am Dienstag nach einer langen Debatte über Schulen und Straßen den neuen "
          "Haushalt beschlossen, und die Bürger sollen noch vor dem Sommer mehr erfahren.")
REPORT = "\n".join(f"Line {i} of the report says that the council met on Tuesday to talk about the roads."
                   for i in range(40))


def changed(**fields: object) -> settings.Settings:
    return dataclasses.replace(settings.SETTINGS, **fields)


def test_the_language_stage_reads_the_passed_settings():
    assert clean(GERMAN).metadata["language"] == "de"
    assert clean(GERMAN, settings=changed(langid_chars=0)).metadata["language"] is None


def test_the_html_stage_reads_the_passed_settings():
    page = "<html><body>" + "".join(f"<p>{line}</p>" for line in REPORT.splitlines()[:3]) + "</body></html>"
    assert len(clean(html=page).paragraphs) == 3
    with pytest.raises(CleanError) as refused:
        clean(html=page, settings=changed(html_max_blocks=2))
    assert refused.value.field == "html" and "more than 2 blocks" in refused.value.detail


def test_the_input_limits_default_to_the_passed_settings():
    assert not any(w.startswith("max_lines") for w in clean(REPORT).warnings)
    assert "max_lines: lines 5 to 39 were not judged; they are kept as they are" in \
        clean(REPORT, settings=changed(max_lines=5)).warnings
    with pytest.raises(CleanError):
        clean(GERMAN, settings=changed(max_input_chars=10))


def test_the_rules_stage_budget_slices_follow_the_passed_settings():
    result = clean(REPORT, time_budget=1e-9, settings=changed(budget_slice_lines=4))
    assert any("lines 4 to 39 were not matched" in w for w in result.warnings)


def test_clean_many_passes_its_settings_to_every_document():
    results = list(clean_many([REPORT, {"text": REPORT}], settings=changed(max_lines=5)))
    assert all(any(w.startswith("max_lines: lines 5") for w in r.warnings) for r in results)


def test_the_rule_sets_short_line_detector_follows_the_passed_settings():
    from heuristics.rules import default_ruleset

    def long_line_patterns(**fields: int) -> tuple[int, int]:
        ruleset = default_ruleset(changed(**fields))
        regex_set = ruleset.regex_set(ruleset.languages_for("en"))
        long = [d for d in regex_set.detectors if d.short_lines is False]
        return regex_set.short_line_words, sum(len(d.entries) for d in long)

    default_words, default_long = long_line_patterns()
    words, long = long_line_patterns(rule_short_line_words=3)
    assert (default_words, words) == (settings.SETTINGS.rule_short_line_words, 3)
    assert long > default_long   # rules for lines longer than 3 words move into the long-line detector
    assert clean(REPORT, settings=changed(rule_short_line_words=3)).text == clean(REPORT).text
