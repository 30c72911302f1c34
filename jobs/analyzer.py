"""What the pipeline needs from the NLP analyzer, and how the real one is loaded (lazily: torch is heavy)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from models.settings import Settings

if TYPE_CHECKING:
    from nlp.taxonomy import Taxonomy
    from nlp.types import TextAnalysis


class TextAnalyzer(Protocol):
    """The `nlp.analyzer.Analyzer` surface the jobs use; tests pass a stub with the same shape."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    def analyze(
        self,
        texts: list[str],
        taxonomy: Taxonomy | None = None,
        audience: str = "customer",
        hints: list[str | None] | None = None,
    ) -> list[TextAnalysis]: ...

    def analyze_many(
        self,
        groups: list[tuple[list[str], Taxonomy | None, str]],
        hints: list[list[str | None] | None] | None = None,
    ) -> list[list[TextAnalysis]]: ...


def load_analyzer(settings: Settings) -> TextAnalyzer:
    """Load the configured transformer analyzer now (fails fast with one line when a model is missing)."""
    from nlp.analyzer import Analyzer
    from nlp.settings import NLPSettings

    analyzer: TextAnalyzer = Analyzer(NLPSettings.from_env(settings.nlp_env)).load()
    return analyzer
