"""The change a person asked for, read from their own words: a name, tags, key=value metadata.

"rename it to ACME March", "call workflow_run_1234 'Foo'", "tag it urgent and q3",
"set vendor=ACME on it", or several at once ("rename it to X and tag it urgent").
A quoted value is taken as is; otherwise a value ends where the next change or
the target ("on it", "to workflow_run_1234") begins. The new name's own words are
never read as a further request, so "rename it to Tag Heuer" tags nothing.
Trailing punctuation and politeness ("..., thanks", "please") are not part of a
value, and ``key=value`` is a change only after a write verb ("set vendor=ACME"),
so "what is the metadata where vendor=ACME?" stays a question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.names import RUN_ID_IN_TEXT
from agent.offline.removals import requested_removal
from agent.offline.undo import undo_scope

_TARGET = (
    r"(?:it|this(?:\s+run)?|that(?:\s+run)?|the\s+(?:same\s+|last\s+)?run|"
    rf"{RUN_ID_IN_TEXT.pattern})"
)
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»", "`": "`"}
_NEXT_CHANGE = re.compile(
    r"(?:\s*[,;]\s*(?:and\s+|then\s+|also\s+|plus\s+)*|\s+(?:and|then|also|plus)\s+)"
    r"(?:please\s+)?(?:rename|call|name|tag|label|mark|set|add)\b.*$",
    re.IGNORECASE | re.DOTALL,
)
_TRAILING_TARGET = re.compile(rf"\s+(?:on|to|for|of)\s+{_TARGET}\s*$", re.IGNORECASE)
_TRAILING_POLITENESS = re.compile(
    r"[\s,;:-]*\b(?:please|pls|plz|thanks|thank\s+you|thx|ty|cheers)"
    r"(?:\s+(?:so\s+much|very\s+much|a\s+lot))?\s*$",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION = ".!?;:, \t\n"
_CLAUSE_START = re.compile(
    r"(?:^|[.,;:!?]|\b(?:please|pls|and|then|also|now|you|to))\s*$", re.IGNORECASE
)
_RENAME = (
    re.compile(rf"\brename\s+(?:{_TARGET}\s+)?(?:to|as)\s+(?P<name>.+)", re.IGNORECASE | re.DOTALL),
    re.compile(rf"\brename\s+{_TARGET}\s+(?P<name>(?!to\b|as\b).+)", re.IGNORECASE | re.DOTALL),
    re.compile(rf"\b(?:call|name)\s+{_TARGET}\s+(?P<name>.+)", re.IGNORECASE | re.DOTALL),
    re.compile(
        rf"\b(?:change|set|update|make)\s+(?:the\s+|its\s+)?(?:run(?:'s)?\s+)?name"
        rf"(?:\s+(?:of|on|for)\s+{_TARGET})?\s+to\s+(?P<name>.+)",
        re.IGNORECASE | re.DOTALL,
    ),
    re.compile(rf"\bgive\s+{_TARGET}\s+the\s+name\s+(?P<name>.+)", re.IGNORECASE | re.DOTALL),
)
_TAG = (
    re.compile(rf"\b(?:tag|label)\s+(?:{_TARGET}\s+)?(?:with\s+|as\s+)?(?P<tags>.+)", re.I | re.S),
    re.compile(rf"\bmark\s+{_TARGET}\s+(?:as\s+)?(?P<tags>.+)", re.I | re.S),
    re.compile(r"\bmark\s+as\s+(?P<tags>.+)", re.I | re.S),
    re.compile(r"\badd\s+(?:the\s+|a\s+)?(?:tags?|labels?)\s+(?P<tags>.+)", re.I | re.S),
    re.compile(
        rf"\badd\s+(?P<tags>.+?)\s+as\s+(?:a\s+)?(?:tags?|labels?)(?:\s+(?:to|on)\s+{_TARGET})?",
        re.I | re.S,
    ),
)
# "set po_number to 4411"; two words ("set the cost center to CC-12") are the key cost_center
_SET_TO = re.compile(
    r"\b(?:set|change|update)\s+(?:the\s+)?(?:metadata\s+(?:key\s+|field\s+)?)?"
    r"(?P<key>[A-Za-z_][\w.:-]*(?:\s+(?!(?:to|on|for|of|in|at|as|and|metadata|key)\b)"
    r"[A-Za-z][A-Za-z-]*)?)"
    r"(?:\s+(?:on|for|of)\s+(?:it|this|that)(?:\s+(?:run|one))?)?"
    r"(?:\s+metadata|\s+key)?\s+to\s+(?P<value>.+)",
    re.IGNORECASE | re.DOTALL,
)
_PAIR_KEY = re.compile(r"(?P<key>[A-Za-z_](?:[\w.-]|:(?!=))*)\s*:?=\s*")
# "set po_number to 4411 and cost_center to CC-9": where the next "key to value" starts.
_NEXT_SET_TO = re.compile(
    r"(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?:the\s+)?(?P<key>[A-Za-z_][\w.-]*)\s+to\s+", re.IGNORECASE
)
_KEYISH = re.compile(r"^[A-Za-z_][\w.-]*[_.\d-][\w.-]*$")
# "set po_number to 4411 and cost_center on it": a second key with no value.
_DANGLING_KEY = re.compile(r"(?:,|\band\b)\s+(?:the\s+)?(?P<key>[A-Za-z_][\w.-]*)\s*$", re.I)
_WRITE_VERB = re.compile(
    r"\b(?:set|add|put|tag|rename|call|name|label|mark|update|change|store|save|record|attach)\b",
    re.IGNORECASE,
)
_NOT_KEYS = frozenset({"name", "it", "its", "this", "that", "run", "the", "tag", "tags", "label"})
_TAG_KEYS = frozenset({"tag", "tags", "label", "labels"})
_TAG_FILLER = frozenset({"tag", "tags", "label", "labels", "with", "as", "please", "too", "also"})
_PHRASE_WORDS = frozenset(
    {
        *("for", "from", "by", "of", "in", "on", "at", "to", "into", "because", "since"),
        *("until", "after", "before", "the", "is", "was", "it", "this", "that"),
        *("my", "our", "their", "its", "but", "if", "when", "not"),
    }
)
"""Words that make an unquoted tag list a phrase ("paid for march"), so the person is asked."""
_LEADING_ARTICLE = re.compile(
    r"^\s*(?:(?:with|as)\s+)?(?:the|a|an)\s+(?!(?:and|or)\b)(?=[^\s,;&+])", re.IGNORECASE
)


@dataclass(frozen=True)
class WriteRequest:
    """A change the person asked for: a new name, tags to add or remove, metadata to merge.

    A metadata value of None is a key the person asked to remove (stored as null:
    Extend deletes no key). ``unclear`` says why the words do not pin down one
    change (then nothing is proposed; the person is asked instead).
    """

    name: str | None = None
    add_tags: tuple[str, ...] = ()
    metadata: dict[str, str | None] = field(default_factory=dict)
    remove_tags: tuple[str, ...] = ()
    unclear: str | None = None

    def tool_args(self, run_id: str) -> dict[str, object]:
        args: dict[str, object] = {"run_id": run_id}
        if self.name is not None:
            args["name"] = self.name
        if self.metadata:
            args["metadata"] = dict(self.metadata)
        if self.add_tags:
            args["add_tags"] = list(self.add_tags)
        if self.remove_tags:
            args["remove_tags"] = list(self.remove_tags)
        return args


def requested_change(text: str) -> WriteRequest | None:
    """The change a message asks for, or None when it asks for none."""
    if undo_scope(text) is not None:  # "rename it back to what it was" names no new name
        return None
    removal = requested_removal(text)
    if removal is not None:
        return WriteRequest(
            metadata=dict.fromkeys(removal.keys),
            remove_tags=removal.tags,
            unclear=removal.unclear,
        )
    name, span = _requested_name(text)
    if span is not None:  # the new name's own words are not further requests
        text = text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]
    tags, unclear_tags = _requested_tags(text)
    metadata, unclear = _requested_metadata(text)
    unclear = unclear or unclear_tags
    for key in [k for k in metadata if k.lower() in _TAG_KEYS]:
        tags = (*tags, *_split_tags(metadata.pop(key) or ""))
    if name is None and not tags and not metadata and unclear is None:
        return None
    return WriteRequest(
        name=name,
        add_tags=tuple(dict.fromkeys(tags)),
        metadata=dict(metadata),
        unclear=unclear,
    )


def _at_clause_start(text: str, start: int) -> bool:
    return bool(_CLAUSE_START.search(text[:start]))


def _requested_name(text: str) -> tuple[str | None, tuple[int, int] | None]:
    """The new name asked for, and where the words it was read from sit in ``text``."""
    for pattern in _RENAME:
        match = pattern.search(text)
        if match and _at_clause_start(text, match.start()):
            name = _clean_value(match.group("name"))
            if name:
                start = text.find(name, match.start("name"))
                end = start + len(name)
                if text[end : end + 1] in _QUOTES.values():
                    end += 1
                return name, (match.start("name"), end)
    return None, None


def _requested_tags(text: str) -> tuple[tuple[str, ...], str | None]:
    """The tags asked for; and why they are unclear when a phrase was given unquoted.

    "tag it as paid for march" is a phrase, not the tags paid, for and march: the
    person is asked to quote it or list the tags.
    """
    for pattern in _TAG:
        match = pattern.search(text)
        if match and _at_clause_start(text, match.start()):
            tags = _split_tags(match.group("tags"))
            phrase_words = [t for t in tags if t.lower() in _PHRASE_WORDS and " " not in t]
            if phrase_words:
                given = " ".join(tags)
                listed = " and ".join(t for t in tags if t not in phrase_words) or tags[0]
                return (), (
                    f"I can't tell which tags you mean in “{given}”: a tag is one word unless "
                    f'quoted. Quote a tag with spaces (tag it "{given}") or list the tags '
                    f"(tag it {listed})."
                )
            if tags:
                return tags, None
    return (), None


def _requested_metadata(text: str) -> tuple[dict[str, str], str | None]:
    """``key=value`` pairs, or "set KEY to VALUE [and KEY to VALUE]"; and what is unclear."""
    if not any(_at_clause_start(text, verb.start()) for verb in _WRITE_VERB.finditer(text)):
        return {}, None  # "what is the metadata where vendor=ACME?" asks, it does not set
    keys = list(_PAIR_KEY.finditer(text))
    metadata: dict[str, str] = {}
    for index, match in enumerate(keys):
        end = keys[index + 1].start() if index + 1 < len(keys) else len(text)
        value = _clean_value(text[match.end() : end], pairs=True)
        if value:
            metadata[match.group("key")] = value
    if metadata:
        return metadata, None
    set_to = _SET_TO.search(text)
    if set_to and set_to.group("key").split()[0].lower() not in _NOT_KEYS:
        key = set_to.group("key")
        key = "_".join(key.lower().split()) if " " in key else key
        return _set_to_pairs(key, set_to.group("value"))
    return {}, None


def _set_to_pairs(key: str, raw: str) -> tuple[dict[str, str], str | None]:
    """ "po_number to 4411 and cost_center to CC-9": each key with its own value.

    A further "and KEY to" splits only when KEY looks like a metadata key (has ``_``,
    ``.``, ``-`` or a digit) or follows a comma; a value still holding "and X to ..."
    or ending in "and KEY" (no value given) is unclear, so the person is asked.
    """
    stripped = raw.strip()
    if stripped[:1] in _QUOTES:  # a quoted value is taken as is
        value = _clean_value(stripped)
        return ({key: value}, None) if value else ({}, None)
    pairs: dict[str, str] = {}
    keys = [key]
    pieces: list[str] = []
    start = 0
    for match in _NEXT_SET_TO.finditer(raw):
        follows_comma = "," in match.group(0)
        if match.group("key").lower() in _NOT_KEYS:
            continue
        if not (follows_comma or _KEYISH.match(match.group("key"))):
            continue
        pieces.append(raw[start : match.start()])
        keys.append(match.group("key"))
        start = match.end()
    pieces.append(raw[start:])
    for name, piece in zip(keys, pieces, strict=True):
        value = _clean_value(piece, pairs=True)
        dangling = _DANGLING_KEY.search(_trim_tail(piece.strip()))
        if dangling and _KEYISH.match(dangling.group("key")):
            return {}, (
                f"I can't tell what to set {dangling.group('key')} to. Say each key with its "
                f"value, e.g. “set {name} to … and {dangling.group('key')} to …”."
            )
        if re.search(r"\band\s+[A-Za-z_][\w.-]*\s+to\s", value, re.IGNORECASE):
            return {}, (
                f"I can't tell where the value of {name} ends in “{value}”. Quote it, e.g. "
                f'“set {name} to "…"”, or use {name}=… for each key.'
            )
        if not value:
            return {}, f"I can't tell what to set {name} to; say “set {name} to …”."
        pairs[name] = value
    return pairs, None


def _clean_value(raw: str, *, pairs: bool = False) -> str:
    """The value a person gave: quoted text as is, else up to the next change or the target."""
    text = raw.strip()
    if text[:1] in _QUOTES:
        close = text.find(_QUOTES[text[0]], 1)
        if close > 1:
            return text[1:close].strip()
    text = _trim_tail(_NEXT_CHANGE.sub("", text), pairs=pairs)
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] == _QUOTES[text[0]]:
        text = text[1:-1].strip()
    return text


def _trim_tail(text: str, *, pairs: bool = False) -> str:
    """Drop what trails a value: ``.``/``!``/``?``, "thanks"/"please", "on it", "to RUN"."""
    while True:
        trimmed = text.strip().rstrip(_TRAILING_PUNCTUATION)
        if pairs:
            trimmed = re.sub(r"(?:\s*(?:,|;|\band\b))+\s*$", "", trimmed, flags=re.IGNORECASE)
        polite = _TRAILING_POLITENESS.sub("", trimmed)
        trimmed = polite if polite.strip() else trimmed  # "rename it to Thanks" keeps it
        trimmed = _TRAILING_TARGET.sub("", trimmed)
        if trimmed == text:
            return text
        text = trimmed


def _split_tags(raw: str) -> tuple[str, ...]:
    text = _trim_tail(_NEXT_CHANGE.sub("", raw.strip()))
    quoted = re.findall(r"[\"“‘'«`]([^\"”’'»`]+)[\"”’'»`]", text)
    rest = re.sub(r"[\"“‘'«`][^\"”’'»`]+[\"”’'»`]", " ", text)
    rest = _LEADING_ARTICLE.sub(" ", rest)  # "tag it as a priority"; "tag it a and b" keeps a
    words = re.split(r"\s*(?:,|;|&|\+|\band\b|\s)\s*", rest)
    tags = [q.strip() for q in quoted]
    for word in words:
        word = word.strip().strip(".!?:;#").strip()
        if word and word.lower() not in _TAG_FILLER:
            tags.append(word)
    return tuple(dict.fromkeys(t for t in tags if t))
