"""Every knob of the engine says why it has its value: each ``Settings`` field carries a trailing comment."""
from __future__ import annotations

import ast
import dataclasses
import inspect
import io
import tokenize

from heuristics import settings


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
