"""Surveys as definitions: a YAML/JSON format that maps 1:1 onto models.Survey and models.Question.

`parse_definition` reads and validates text (every problem with its line), `import_definition` writes a
valid definition in the caller's transaction, `export_definition` reads one back, and `dump_definition`
serializes it. See docs/survey-format.md.
"""

from survey_app.surveys.errors import DefinitionError, Problem
from survey_app.surveys.schema import parse_definition, validate_definition
from survey_app.surveys.serialize import dump_definition
from survey_app.surveys.store import export_definition, import_definition

__all__ = [
    "DefinitionError",
    "Problem",
    "dump_definition",
    "export_definition",
    "import_definition",
    "parse_definition",
    "validate_definition",
]
