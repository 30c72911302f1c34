"""Topic taxonomies: the YAML files teams edit to say which topics they care about.

Format::

    name: customer            # optional, defaults to the file stem
    threshold: 0.5            # optional, overrides the tagger's calibrated default
    topics:
      - name: delivery
        description: Parcels and orders arriving late, damaged or not at all.
        examples: ["my parcel came three days late"]      # optional
        keywords: [delivery, courier, parcel]              # optional

Errors raise `TaxonomyError`, whose message names the source, the line, the topic and the field,
so a team editing the file in the admin UI sees exactly what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_KINDS = ("customer", "worker")
_TOPIC_FIELDS = {"name", "description", "examples", "keywords"}
_TOP_FIELDS = {"name", "threshold", "topics"}
_MAX_NAME = 80


class TaxonomyError(ValueError):
    """A taxonomy file is malformed; the message names the topic, the field and the line."""


@dataclass
class Topic:
    name: str
    description: str
    examples: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


@dataclass
class Taxonomy:
    name: str
    topics: list[Topic]
    threshold: float | None = None

    @property
    def topic_names(self) -> list[str]:
        return [t.name for t in self.topics]


def parse_taxonomy(text: str, source: str = "<string>") -> Taxonomy:
    """Parse and validate taxonomy YAML; raise TaxonomyError naming topic, field and line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise TaxonomyError(f"{source}{where}: not valid YAML: {problem}") from exc
    except RecursionError:
        # PyYAML's composer recurses once per level: [[[[…]]]] thousands deep ends here.
        raise TaxonomyError(f"{source}: nested too deeply to be a taxonomy") from None
    if root is None:
        raise TaxonomyError(f"{source}: empty taxonomy: expected a mapping with a 'topics' list")
    top = _mapping(root, source, "taxonomy")
    unknown = set(top) - _TOP_FIELDS
    if unknown:
        key = sorted(unknown)[0]
        raise TaxonomyError(f"{_where(source, top[key][0])}: unknown top-level field {key!r}")
    name = Path(source).stem if source != "<string>" else "custom"
    if "name" in top:
        name = _string(top["name"][1], source, "taxonomy", "name")
    threshold: float | None = None
    if "threshold" in top:
        threshold = _threshold(top["threshold"][1], source)
    if "topics" not in top:
        raise TaxonomyError(f"{_where(source, root)}: missing field 'topics'")
    topics_node = top["topics"][1]
    if not isinstance(topics_node, SequenceNode) or not topics_node.value:
        raise TaxonomyError(f"{_where(source, topics_node)}: field 'topics' must be a non-empty list")
    topics: list[Topic] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(topics_node.value):
        topic = _topic(node, source, i)
        key = topic.name.casefold()
        if key in seen:
            raise TaxonomyError(
                f"{_where(source, node)}: topic {topic.name!r}: "
                f"field 'name' duplicates topic #{seen[key] + 1}"
            )
        seen[key] = i
        topics.append(topic)
    return Taxonomy(name=name, topics=topics, threshold=threshold)


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read a taxonomy YAML file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{p}: cannot read taxonomy: {exc}") from exc
    return parse_taxonomy(text, source=str(p))


def default_taxonomy(kind: str) -> Taxonomy:
    """Return the shipped taxonomy for "customer" or "worker" surveys."""
    if kind not in _KINDS:
        raise ValueError(f"unknown taxonomy kind {kind!r}: expected one of {', '.join(_KINDS)}")
    res = resources.files("nlp").joinpath("taxonomies", f"{kind}.yaml")
    return parse_taxonomy(res.read_text(encoding="utf-8"), source=f"nlp/taxonomies/{kind}.yaml")


def _where(source: str, node: Node) -> str:
    return f"{source}, line {node.start_mark.line + 1}"


def _mapping(node: Node, source: str, what: str) -> dict[str, tuple[Node, Node]]:
    if not isinstance(node, MappingNode):
        raise TaxonomyError(f"{_where(source, node)}: {what} must be a mapping")
    out: dict[str, tuple[Node, Node]] = {}
    for k, v in node.value:
        if not isinstance(k, ScalarNode):
            raise TaxonomyError(f"{_where(source, k)}: {what}: keys must be plain words")
        out[str(k.value)] = (k, v)
    return out


def _string(node: Node, source: str, topic: str, fld: str) -> str:
    if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        raise TaxonomyError(f"{_where(source, node)}: {topic}: field {fld!r} must be text")
    value = str(node.value).strip()
    if not value:
        raise TaxonomyError(f"{_where(source, node)}: {topic}: field {fld!r} must not be empty")
    return value


def _strings(node: Node, source: str, topic: str, fld: str) -> list[str]:
    if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        return []
    if not isinstance(node, SequenceNode):
        raise TaxonomyError(f"{_where(source, node)}: {topic}: field {fld!r} must be a list of text")
    return [_string(item, source, topic, f"{fld}[{j}]") for j, item in enumerate(node.value)]


def _threshold(node: Node, source: str) -> float:
    value = -1.0
    if isinstance(node, ScalarNode) and node.tag in {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}:
        try:
            value = float(str(node.value).replace("_", ""))
        except ValueError:
            value = -1.0
    if not 0.0 <= value <= 1.0:
        raise TaxonomyError(f"{_where(source, node)}: field 'threshold' must be a number between 0 and 1")
    return value


def _topic(node: Node, source: str, index: int) -> Topic:
    label = f"topic #{index + 1}"
    fields = _mapping(node, source, label)
    if "name" not in fields:
        raise TaxonomyError(f"{_where(source, node)}: {label}: missing field 'name'")
    name = _string(fields["name"][1], source, label, "name")
    label = f"topic {name!r}"
    if len(name) > _MAX_NAME:
        where = _where(source, fields["name"][1])
        raise TaxonomyError(f"{where}: {label}: field 'name' is longer than {_MAX_NAME} characters")
    unknown = set(fields) - _TOPIC_FIELDS
    if unknown:
        key = sorted(unknown)[0]
        raise TaxonomyError(f"{_where(source, fields[key][0])}: {label}: unknown field {key!r}")
    if "description" not in fields:
        raise TaxonomyError(f"{_where(source, node)}: {label}: missing field 'description'")
    description = _string(fields["description"][1], source, label, "description")
    examples = _strings(fields["examples"][1], source, label, "examples") if "examples" in fields else []
    keywords = _strings(fields["keywords"][1], source, label, "keywords") if "keywords" in fields else []
    return Topic(name=name, description=description, examples=examples, keywords=keywords)
